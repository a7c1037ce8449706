import hashlib
import re
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.test import Client

from core.models import AuditEvent, User
from core.roles import LAB_MANAGERS, LAB_MEMBERS
from inventory.models import Device, DeviceHistory, DeviceType, Link, Manufacturer, Port, Site, Tag
from inventory.services.demo import _device_specs
from inventory.services.setup import DEFAULT_DEVICE_TYPES
from scheduler.models import BookingPolicy

TABLES = [Group, Group.permissions.through, DeviceType, BookingPolicy, Site, Manufacturer, Tag, Device,
          Device.tags.through, Port, DeviceHistory, User, User.groups.through, AuditEvent]


def _checksum() -> tuple[dict, str]:
    """Row counts and a digest of every row init_db may write."""
    counts, digest = {}, hashlib.sha256()
    for model in TABLES:
        rows = list(model.objects.order_by("pk").values_list())
        counts[model._meta.label] = len(rows)
        digest.update(repr(rows).encode())
    return counts, digest.hexdigest()


def _init_db(*args) -> str:
    out = StringIO()
    call_command("init_db", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_init_db_creates_groups_types_and_policy_once():
    """init_db creates the groups, default types and policy; a second run changes nothing and says so."""
    first = _init_db()
    assert "device types +12" in first
    assert set(Group.objects.values_list("name", flat=True)) >= {LAB_MANAGERS, LAB_MEMBERS}
    assert Group.objects.get(name=LAB_MANAGERS).permissions.filter(codename="change_device").exists()
    assert set(DeviceType.objects.values_list("name", flat=True)) == set(DEFAULT_DEVICE_TYPES)
    assert DeviceType.objects.get(name="ROADM").default_capacity == 2
    assert BookingPolicy.objects.count() == 1
    state = _checksum()
    second = _init_db()
    assert _checksum() == state
    assert second.strip() == "Nothing changed: the database was already initialised."


@pytest.mark.django_db
def test_init_db_keeps_edited_device_types():
    """A type a manager edited is not reset by a later init_db."""
    _init_db()
    DeviceType.objects.filter(name="OSA").update(default_capacity=3)
    _init_db()
    assert DeviceType.objects.get(name="OSA").default_capacity == 3


@pytest.mark.django_db
def test_init_db_demo_builds_the_lab_once_and_prints_working_logins():
    """--demo: ~200 devices on 2 sites with ports patched into Polatis 1 and fixed links; printed logins work; a rerun changes nothing."""
    output = _init_db("--demo")
    assert 190 <= Device.objects.count() <= 210
    assert Site.objects.count() == 2
    assert Device.objects.filter(site__isnull=True).count() == 0
    labels = list(Port.objects.annotate(lower=Lower("name")).values_list("lower", flat=True))
    assert len(labels) == len(set(labels)) > 150
    linked = Link.objects.count()
    assert linked == 4
    for side in ("switch_in", "switch_out"):
        numbers = list(Port.objects.exclude(**{side: None}).values_list(side, flat=True))
        assert len(numbers) == len(set(numbers)) == len(labels) - 2 * linked
    polatis = Device.objects.get(name="Polatis 1")
    patched = Port.objects.filter(switch=polatis)
    assert patched.count() == len(labels) - 2 * linked - Port.objects.filter(device__device_type__name="Transceiver").count()
    assert {"tf_1", "roadm_10_p2", "roadm_10_line", "reel_3_a", "reel_3_b"} <= set(labels)
    assert str(Link.objects.select_related("a", "b").get(a__name="roadm_1_line")) == "roadm_1_line ↔ edfa_1_in"
    assert Device.objects.exclude(oi_id="").count() == Device.objects.count()
    assert Tag.objects.exclude(color="").count() == Tag.objects.count() >= 5

    logins = re.findall(r"^\s+(Lab managers|Lab members)\s+(\S+) / (\S+)$", output, re.M)
    assert [role for role, _, _ in logins] == [LAB_MANAGERS, LAB_MEMBERS, LAB_MEMBERS]
    for role, username, password in logins:
        user = User.objects.get(username=username)
        assert user.groups.filter(name=role).exists()
        # The sign-in lock's backend needs the request a real sign-in has.
        assert Client().login(request=HttpRequest(), username=username, password=password)
    manager = User.objects.get(username=logins[0][1])
    assert manager.is_staff and manager.has_perm("inventory.change_device")

    state = _checksum()
    second = _init_db("--demo")
    assert _checksum() == state
    assert "Nothing changed" in second


def test_demo_lab_is_deterministic():
    """The demo lab is built from fixed data and a seeded generator: the same on every run and machine."""
    specs = _device_specs()
    assert specs == _device_specs()
    assert len({s["serial_number"] for s in specs}) == len(specs)
    assert len({s["mgmt_ip"] for s in specs if s["mgmt_ip"]}) == len([s for s in specs if s["mgmt_ip"]])
    racked = [(s["site"], s["rack"], s["u_position"]) for s in specs if s["u_position"] is not None]
    assert len(racked) == len(set(racked))
    assert specs[0]["oi_id"] == "OI-DEV-000001" and specs[0]["name"] == "ROADM 1"
