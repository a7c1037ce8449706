"""Topology pages on the server side: who may see them, what the composer is given, no inline code."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory
from scheduler.models import Topology
from scheduler.services.booking import booking_request
from scheduler.topology.services import topology_create

pytestmark = pytest.mark.django_db


def composer_data(response) -> dict:
    match = re.search(r'<script id="composer-data" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    assert match, "the composer's data block is missing"
    return json.loads(match.group(1))


def assert_no_inline_code(html: str) -> None:
    """Only data blocks and external scripts, no style attributes (the Content Security Policy)."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "<style" not in html


def test_composer_needs_sign_in(client):
    response = client.get(reverse("topology-new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_composer_palette_holds_the_bookable_types_the_lab_has(web):
    roadm = DeviceTypeFactory(name="ROADM")
    DeviceFactory(device_type=roadm)
    DeviceFactory(device_type=roadm, status="retired")
    DeviceFactory(device_type=DeviceTypeFactory(name="PDU", is_schedulable=False))
    DeviceFactory(device_type=DeviceTypeFactory(name="OSA"), status="maintenance")  # none bookable
    DeviceTypeFactory(name="Router")  # no device at all
    response = web.get(reverse("topology-new"))
    assert response.status_code == 200
    data = composer_data(response)
    assert [t["name"] for t in data["device_types"]] == ["ROADM"]
    html = response.content.decode()
    assert 'aria-label="Add a ROADM node"' in html and "Add a PDU node" not in html
    assert data["topology"] is None
    assert data["urls"]["api"] == "/api/scheduler/topologies/"
    assert_no_inline_code(html)


def test_composer_controls_are_labelled(web):
    DeviceFactory(device_type=DeviceTypeFactory(name="ROADM"))
    html = web.get(reverse("topology-new")).content.decode()
    ids = re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html)
    for control_id in ids:
        if control_id.startswith("mode-") or control_id == "id_csrfmiddlewaretoken":
            assert f'for="{control_id}"' in html or control_id == "id_csrfmiddlewaretoken"
            continue
        assert f'for="{control_id}"' in html, f"#{control_id} has no label"


@pytest.fixture
def roadm_type(db):
    kind = DeviceTypeFactory(name="ROADM")
    DeviceFactory(name="ROADM 1", device_type=kind)
    return kind


def make_topology(owner, kind, name="Ring", nodes=3):
    keys = [f"r{i}" for i in range(nodes)]
    return topology_create(owner=owner, name=name, nodes=[{"key": k, "device_type": kind.pk} for k in keys],
                           links=[{"a": keys[i], "b": keys[(i + 1) % nodes]} for i in range(nodes)])


def test_list_shows_own_topologies_with_counts_in_constant_queries(web, member, other_member, roadm_type,
                                                                   django_assert_max_num_queries):
    make_topology(member, roadm_type, "Ring of three")
    make_topology(member, roadm_type, "Ring of five", nodes=5)
    make_topology(other_member, roadm_type, "Someone else's")
    with django_assert_max_num_queries(8):
        response = web.get(reverse("topologies"))
    html = response.content.decode()
    assert "Ring of three" in html and "Ring of five" in html and "Someone else" not in html
    assert re.search(r'<td class="num">5</td><td class="num">5</td>', html)
    for n in range(10):
        make_topology(member, roadm_type, f"More {n}")
    with django_assert_max_num_queries(8):
        web.get(reverse("topologies"))
    assert_no_inline_code(html)


def test_managers_can_list_everyones(manager, member, roadm_type):
    make_topology(member, roadm_type, "Member's ring")
    client = Client()
    client.force_login(manager)
    assert "Member&#x27;s ring" not in client.get(reverse("topologies")).content.decode()
    html = client.get(reverse("topologies") + "?show=all").content.decode()
    assert "Member&#x27;s ring" in html and "<th scope=\"col\">Owner</th>" in html


def test_other_peoples_topologies_are_404(web, other_member, roadm_type):
    theirs = make_topology(other_member, roadm_type)
    assert web.get(reverse("topology", args=[theirs.pk])).status_code == 404
    assert web.post(reverse("topology-copy", args=[theirs.pk])).status_code == 404
    assert web.post(reverse("topology-delete", args=[theirs.pk])).status_code == 404
    assert Topology.objects.filter(pk=theirs.pk).exists()


def test_edit_page_carries_the_topology(web, member, roadm_type):
    mine = make_topology(member, roadm_type)
    data = composer_data(web.get(reverse("topology", args=[mine.pk])))
    assert data["topology"]["id"] == mine.pk
    assert [n["key"] for n in data["topology"]["nodes"]] == ["r0", "r1", "r2"]


def test_copy_and_delete(web, member, roadm_type):
    mine = make_topology(member, roadm_type, "Original")
    response = web.post(reverse("topology-copy", args=[mine.pk]))
    copy = Topology.objects.exclude(pk=mine.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("topology", args=[copy.pk])
    assert copy.name == "Copy of Original" and copy.nodes == mine.nodes
    assert web.get(reverse("topology-delete", args=[mine.pk])).status_code == 405  # only POST deletes
    web.post(reverse("topology-delete", args=[mine.pk]))
    assert list(Topology.objects.all()) == [copy]


def test_copy_and_delete_need_the_csrf_token(member, roadm_type):
    mine = make_topology(member, roadm_type)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(reverse("topology-delete", args=[mine.pk])).status_code == 403
    assert Topology.objects.filter(pk=mine.pk).exists()


def test_new_from_patch_list(web, member):
    tf = DeviceFactory(name="TeraFlex 1", device_type=DeviceTypeFactory(name="TeraFlex"))
    roadm = DeviceFactory(name="ROADM 10", device_type=DeviceTypeFactory(name="ROADM"))
    PortFactory(device=tf, name="tf_1")
    PortFactory(device=roadm, name="roadm_10_p2")
    response = web.post(reverse("topology-from-patch-list"), {"name": "Pasted", "text": "[('tf_1', 'roadm_10_p2')]", "pin": "on"})
    topology = Topology.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("topology", args=[topology.pk])
    assert topology.owner == member and {n["device"] for n in topology.nodes} == {tf.pk, roadm.pk}
    assert len(topology.links) == 1


def test_new_from_patch_list_with_unknown_labels_says_which(web):
    response = web.post(reverse("topology-from-patch-list"), {"name": "Pasted", "text": "[('tf_9', 'roadm_10_p2')]", "pin": "on"})
    assert response.status_code == 400
    assert "Unknown port label &#x27;roadm_10_p2&#x27;" in response.content.decode()
    assert not Topology.objects.exists()


def test_new_from_a_past_session(web, member, other_member, now):
    device = DeviceFactory(name="TeraFlex 1", device_type=DeviceTypeFactory(name="TeraFlex", requires_approval=False))
    mine = booking_request(requester=member, items=[{"device": device, "start": now + timedelta(days=1),
                                                     "end": now + timedelta(days=1, hours=2)}])
    theirs = booking_request(requester=other_member, items=[{"device": device, "start": now + timedelta(days=2),
                                                             "end": now + timedelta(days=2, hours=2)}])
    assert web.post(reverse("topology-from-session", args=[theirs.pk])).status_code == 404
    response = web.post(reverse("topology-from-session", args=[mine.pk]))
    topology = Topology.objects.get()
    assert response["Location"] == reverse("topology", args=[topology.pk])
    assert topology.source_group == mine and [n["device"] for n in topology.nodes] == [device.pk]
