"""Topologies through the API: own only (managers all), copy, from a patch list or a session, 400s naming the node or link."""

import pytest

from core.models import AuditEvent
from inventory.models import Link
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory
from scheduler.tests.factories import BookingFactory
from scheduler.topology.models import Topology

URL = "/api/scheduler/topologies/"


@pytest.fixture
def types(db):
    return {"ROADM": DeviceTypeFactory(name="ROADM"), "TeraFlex": DeviceTypeFactory(name="TeraFlex"),
            "PDU": DeviceTypeFactory(name="PDU", is_schedulable=False)}


def _ring(types):
    return {"name": "ring", "description": "two TF over a ROADM pair",
            "nodes": [{"key": "tf1", "device_type": types["TeraFlex"].pk}, {"key": "r1", "device_type": "roadm"},
                      {"key": "r2", "device_type": types["ROADM"].pk, "params": {"degree": 2}}],
            "links": [{"a": "tf1", "b": "r1"}, {"a": "r1", "b": "r2", "fixed_only": False, "notes": "C-band"}]}


def test_create_read_update_delete_own_topology(member_client, types):
    response = member_client.post(URL, _ring(types), format="json")
    assert response.status_code == 201, response.data
    body = response.data
    assert body["nodes"][1] == {"key": "r1", "device_type": types["ROADM"].pk, "device": None, "site": None,
                                "tag": None, "params": {}}
    assert body["links"][1] == {"a": "r1", "b": "r2", "fixed_only": False, "notes": "C-band"}
    url = f"{URL}{body['id']}/"
    assert member_client.patch(url, {"name": "ring 2"}, format="json").data["name"] == "ring 2"
    assert member_client.get(URL).data["count"] == 1
    assert member_client.delete(url).status_code == 204
    assert list(AuditEvent.objects.filter(action__startswith="scheduler.topology").values_list("action", flat=True)
                .order_by("id")) == ["scheduler.topology.created", "scheduler.topology.updated", "scheduler.topology.deleted"]


def test_members_see_only_their_own_and_managers_see_all(member_client, other_client, manager_client, types):
    topology_id = member_client.post(URL, _ring(types), format="json").data["id"]
    assert other_client.get(f"{URL}{topology_id}/").status_code == 404
    assert other_client.patch(f"{URL}{topology_id}/", {"name": "x"}, format="json").status_code == 404
    assert other_client.get(URL).data["count"] == 0
    assert manager_client.get(f"{URL}{topology_id}/").status_code == 200


def test_copy_makes_an_own_topology(member_client, manager_client, manager, types):
    topology_id = member_client.post(URL, _ring(types), format="json").data["id"]
    response = manager_client.post(f"{URL}{topology_id}/copy/", {}, format="json")
    assert response.status_code == 201
    assert response.data["name"] == "Copy of ring" and response.data["owner"]["id"] == manager.pk
    assert response.data["nodes"] == Topology.objects.get(pk=topology_id).nodes


BAD = [
    ("unknown node key", {"links": [{"a": "tf1", "b": "nowhere"}]}, {"link": 0}, "unknown node key 'nowhere'"),
    ("link to itself", {"links": [{"a": "r1", "b": "r1"}]}, {"link": 0}, "not node 'r1' to itself"),
    ("duplicate key", {"nodes": [{"key": "A", "device_type": "ROADM"}, {"key": "A", "device_type": "ROADM"}]},
     {"node": "A"}, "the key is used twice"),
    ("unknown type", {"nodes": [{"key": "X", "device_type": "OTDR"}]}, {"node": "X"}, "unknown device type 'OTDR'"),
    ("unschedulable type", {"nodes": [{"key": "P", "device_type": "PDU"}]}, {"node": "P"}, "cannot be booked"),
    ("missing pinned device", {"nodes": [{"key": "D", "device": 999999}]}, {"node": "D"}, "pinned device 999999 does not exist"),
    ("type and device", {"nodes": [{"key": "D", "device": 1, "device_type": "ROADM"}]}, {"node": "D"}, "not both or neither"),
    ("over 100 nodes", {"nodes": [{"key": f"n{i}", "device_type": "ROADM"} for i in range(101)]}, {}, "at most 100 nodes"),
    ("nodes not a list", {"nodes": "A,B"}, {}, "nodes must be a list"),
    ("device id past the database's range", {"nodes": [{"key": "D", "device": 2**64}]}, {"node": "D"},
     "device must be an id"),
    ("site id past the database's range", {"nodes": [{"key": "S", "device_type": "ROADM", "site": 2**70}]},
     {"node": "S"}, "site must be an id"),
]


@pytest.mark.parametrize(("case", "change", "ref", "text"), BAD, ids=[b[0] for b in BAD])
def test_bad_topology_is_a_400_naming_the_node_or_link(member_client, types, case, change, ref, text):
    payload = {**_ring(types), **change}
    if "nodes" in change and "links" not in change:
        payload["links"] = []
    response = member_client.post(URL, payload, format="json")
    assert response.status_code == 400, response.data
    assert text in response.data["detail"]
    if ref:
        assert ref.items() <= response.data["errors"][0].items()
    assert not Topology.objects.exists()


def test_from_patch_list_makes_a_node_per_device_and_a_link_per_pair(member_client, types):
    tf = DeviceFactory(name="TeraFlex 1", device_type=types["TeraFlex"])
    r10, r11 = (DeviceFactory(name=f"ROADM {n}", device_type=types["ROADM"]) for n in (10, 11))
    PortFactory(device=tf, name="tf_1")
    PortFactory(device=r10, name="roadm_10_p2")
    line10, line11 = PortFactory(device=r10, name="roadm_10_line"), PortFactory(device=r11, name="roadm_11_line")
    Link.objects.create(a=line10, b=line11)
    text = "[('tf_1', 'roadm_10_p2'), ('roadm_10_line', 'roadm_11_line')]"
    response = member_client.post(f"{URL}from-patch-list/", {"name": "from script", "patch_list": text}, format="json")
    assert response.status_code == 201, response.data
    assert [(n["key"], n["device"]) for n in response.data["nodes"]] == [("TeraFlex 1", tf.pk), ("ROADM 10", r10.pk), ("ROADM 11", r11.pk)]
    assert [(link["a"], link["b"], link["fixed_only"]) for link in response.data["links"]] == [
        ("TeraFlex 1", "ROADM 10", False), ("ROADM 10", "ROADM 11", True)]
    typed = member_client.post(f"{URL}from-patch-list/", {"name": "t", "patch_list": text, "pin": False}, format="json")
    assert typed.data["nodes"][0]["device_type"] == types["TeraFlex"].pk
    bad = member_client.post(f"{URL}from-patch-list/", {"name": "t", "patch_list": "[('tf_1', 'nope_9')]"}, format="json")
    assert bad.status_code == 400 and "nope_9" in bad.data["detail"]


def test_from_session_uses_its_devices_and_only_a_visible_session(member_client, other_client, member, types):
    booking = BookingFactory(group__owner=member, device=DeviceFactory(name="ROADM 1", device_type=types["ROADM"]))
    response = member_client.post(f"{URL}from-session/", {"group": booking.group_id}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["nodes"][0]["device"] == booking.device_id
    assert response.data["source_group"] == booking.group_id
    assert other_client.post(f"{URL}from-session/", {"group": booking.group_id}, format="json").status_code == 404


def test_list_is_constant_in_queries(member_client, member, types, django_assert_max_num_queries):
    for n in range(6):
        Topology.objects.create(owner=member, name=f"t{n}", nodes=[], links=[])
    with django_assert_max_num_queries(6):
        response = member_client.get(URL)
    assert response.data["count"] == 6


@pytest.mark.parametrize("change", [{"description": 0}, {"name": 12}, {"name": True}])
def test_text_fields_take_only_json_strings(member_client, types, change):
    response = member_client.post(URL, {**_ring(types), **change}, format="json")
    assert response.status_code == 400
    assert response.data[next(iter(change))] == ["Give text (a JSON string)."]
    assert not Topology.objects.exists()
