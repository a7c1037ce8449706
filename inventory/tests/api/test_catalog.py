"""Device types, manufacturers, sites and tags through the API."""

import pytest

from core.models import AuditEvent
from inventory.models import DeviceType, Tag
from inventory.tests.api.routes import url
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, ManufacturerFactory, SiteFactory, TagFactory


def test_device_type_create_and_read(manager_client, member_client):
    payload = {"name": "TeraFlex", "category": "OPTICAL", "has_ports": True, "default_capacity": 1,
               "requires_approval": False}
    response = manager_client.post(url("device-types"), payload, format="json")
    assert response.status_code == 201, response.data
    assert response.data == {"id": response.data["id"], "name": "TeraFlex", "category": "OPTICAL", "description": "",
                              "is_schedulable": True, "has_ports": True, "default_capacity": 1,
                              "requires_approval": False, "device_count": 0}
    assert member_client.get(url("device-types", response.data["id"])).data == response.data


def test_lists_count_devices(member_client):
    roadm = DeviceTypeFactory(name="ROADM")
    DeviceFactory.create_batch(3, device_type=roadm, site=SiteFactory(name="Lab A"))
    DeviceTypeFactory(name="OSA")
    response = member_client.get(url("device-types"))
    assert [(t["name"], t["device_count"]) for t in response.data["results"]] == [("OSA", 0), ("ROADM", 3)]
    assert member_client.get(url("sites")).data["results"][0]["device_count"] == 3


def test_catalogue_q_and_filters(member_client):
    DeviceTypeFactory(name="ROADM", category="OPTICAL")
    DeviceTypeFactory(name="Server", category="COMPUTE")
    DeviceTypeFactory(name="Switch", category="INFRA")
    names = lambda r: [t["name"] for t in r.data["results"]]  # noqa: E731
    assert names(member_client.get(url("device-types"), {"q": "s"})) == ["Server", "Switch"]
    assert names(member_client.get(url("device-types"), {"q": "roadm,serv"})) == ["ROADM", "Server"]
    assert names(member_client.get(url("device-types"), {"category": "INFRA"})) == ["Switch"]


def test_deleting_a_device_type_in_use_is_a_409(manager_client):
    """A type still used by devices cannot be deleted; the answer says why and what to do."""
    roadm = DeviceTypeFactory(name="ROADM")
    DeviceFactory.create_batch(2, device_type=roadm)
    response = manager_client.delete(url("device-types", roadm.pk))
    assert response.status_code == 409
    assert "used by 2 device(s)" in response.data["detail"]
    assert DeviceType.objects.filter(pk=roadm.pk).exists()
    assert not AuditEvent.objects.filter(action="inventory.devicetype.deleted").exists()


def test_deleting_a_tag_in_use_removes_it_from_devices(manager_client):
    tag = TagFactory(name="red")
    device = DeviceFactory()
    device.tags.add(tag)
    assert manager_client.delete(url("tags", tag.pk)).status_code == 204
    assert list(device.tags.all()) == []


def test_deleting_a_site_or_manufacturer_in_use_clears_it_on_devices(manager_client):
    site, maker = SiteFactory(), ManufacturerFactory()
    device = DeviceFactory(site=site, manufacturer=maker)
    assert manager_client.delete(url("sites", site.pk)).status_code == 204
    assert manager_client.delete(url("manufacturers", maker.pk)).status_code == 204
    device.refresh_from_db()
    assert device.site is None and device.manufacturer is None


def test_no_op_update_leaves_no_audit_event(manager_client):
    tag = TagFactory(name="red", color="#ff0000")
    response = manager_client.patch(url("tags", tag.pk), {"color": "#ff0000"}, format="json")
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="inventory.tag.updated").exists()
    manager_client.patch(url("tags", tag.pk), {"color": "#00ff00"}, format="json")
    assert AuditEvent.objects.get(action="inventory.tag.updated").data == {"fields": ["color"]}


BAD = [
    ("device-types", {"name": "ROADM"}, "name"),
    ("device-types", {"name": "X", "category": "QUANTUM"}, "category"),
    ("device-types", {"name": "X", "default_capacity": 0}, "default_capacity"),
    ("device-types", {"name": "X", "default_capacity": "two"}, "default_capacity"),
    ("device-types", {"name": "X", "is_schedulable": "perhaps"}, "is_schedulable"),
    ("device-types", {"name": "X" * 51}, "name"),
    ("device-types", {"name": None}, "name"),
    ("device-types", {"name": ""}, "name"),
    ("manufacturers", {"name": "Lumentum"}, "name"),
    ("manufacturers", {"name": "X", "website": "not a url"}, "website"),
    ("manufacturers", {"name": ["a", "b"]}, "name"),
    ("sites", {"name": "Lab A"}, "name"),
    ("sites", {"name": "S" * 101}, "name"),
    ("tags", {"name": "red"}, "name"),
    ("tags", {"name": "x", "color": "red"}, "color"),
    ("tags", {"name": "x", "color": "#12345"}, "color"),
    ("tags", {"name": "x", "color": "#GGGGGG"}, "color"),
    ("tags", {"name": "x", "color": None}, "color"),
    ("tags", {"name": "x", "description": "d" * 201}, "description"),
]


@pytest.mark.parametrize(("resource", "payload", "field"), BAD, ids=[f"{r}-{f}-{i}" for i, (r, _, f) in enumerate(BAD)])
def test_bad_catalogue_input_is_a_400_naming_the_field(manager_client, resource, payload, field):
    """Duplicates, bad colours, bad choices, wrong types, nulls and oversized strings are a 400, never 500."""
    DeviceTypeFactory(name="ROADM")
    ManufacturerFactory(name="Lumentum")
    SiteFactory(name="Lab A")
    TagFactory(name="red")
    response = manager_client.post(url(resource), payload, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data


def test_renaming_to_a_taken_name_is_a_400(manager_client):
    TagFactory(name="red")
    blue = TagFactory(name="blue")
    response = manager_client.patch(url("tags", blue.pk), {"name": "red"}, format="json")
    assert response.status_code == 400 and "name" in response.data
    assert Tag.objects.get(pk=blue.pk).name == "blue"
