"""Polatis ports through the API: labels unique in any case, switch ports unique when set."""

import pytest

from inventory.models import Port
from inventory.tests.api.routes import url
from inventory.tests.factories import DeviceFactory, PortFactory


def test_create_takes_a_device_id_and_answers_with_the_device_brief(manager_client):
    device = DeviceFactory(name="tf-1")
    payload = {"device": device.pk, "name": "tf_1", "switch_in": 1, "switch_out": 2, "description": "client side"}
    response = manager_client.post(url("ports"), payload, format="json")
    assert response.status_code == 201, response.data
    assert response.data == {"id": response.data["id"], "device": {"id": device.pk, "name": "tf-1",
                                                                   "status": "available"},
                             "name": "tf_1", "switch": None, "switch_in": 1, "switch_out": 2,
                             "description": "client side"}


def test_filter_by_device_and_q(member_client):
    a, b = DeviceFactory(), DeviceFactory()
    PortFactory(device=a, name="tf_1")
    PortFactory(device=a, name="tf_2")
    PortFactory(device=b, name="roadm_10_p2", description="line side")
    names = lambda r: sorted(p["name"] for p in r.data["results"])  # noqa: E731
    assert names(member_client.get(url("ports"), {"device": a.pk})) == ["tf_1", "tf_2"]
    assert names(member_client.get(url("ports"), {"q": "TF_2,LINE"})) == ["roadm_10_p2", "tf_2"]
    assert names(member_client.get(url("ports"), {"device": 999999})) == []
    assert member_client.get(url("ports"), {"device": "tf_1"}).status_code == 400


BAD = [
    ("label taken in another case", {"name": "TF_1"}, "name"),
    ("label taken", {"name": "tf_1"}, "name"),
    ("switch_in taken", {"switch_in": 10}, "switch_in"),
    ("switch_out taken", {"switch_out": 11}, "switch_out"),
    ("negative switch port", {"switch_in": -1}, "switch_in"),
    ("switch port too large", {"switch_in": 2**31}, "switch_in"),
    ("switch port not a number", {"switch_out": "ten"}, "switch_out"),
    ("unknown device", {"device": 999999}, "device"),
    ("null device", {"device": None}, "device"),
    ("null label", {"name": None}, "name"),
    ("oversized label", {"name": "p" * 101}, "name"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD, ids=[b[0] for b in BAD])
def test_bad_port_input_is_a_400_naming_the_field(manager_client, case, change, field):
    PortFactory(name="tf_1", switch_in=10, switch_out=11)
    payload = {"device": DeviceFactory().pk, "name": "new_port", **change}
    response = manager_client.post(url("ports"), payload, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert Port.objects.count() == 1


def test_renaming_a_port_to_another_case_of_its_own_label_is_allowed(manager_client):
    port = PortFactory(name="tf_1")
    response = manager_client.patch(url("ports", port.pk), {"name": "TF_1"}, format="json")
    assert response.status_code == 200, response.data


def test_renaming_a_port_onto_another_label_is_a_400(manager_client):
    PortFactory(name="tf_1")
    port = PortFactory(name="tf_2")
    response = manager_client.patch(url("ports", port.pk), {"name": "Tf_1"}, format="json")
    assert response.status_code == 400
    assert "already used" in str(response.data["name"][0])


def test_switch_numbers_are_unique_per_switch_not_lab_wide(manager_client):
    """Two switches may both use in port 1; one switch may not use it twice."""
    polatis, other = DeviceFactory(name="Polatis 1"), DeviceFactory(name="Polatis 2")
    PortFactory(name="tf_1", switch=polatis, switch_in=1, switch_out=385)
    payload = {"device": DeviceFactory().pk, "name": "tf_2", "switch": other.pk, "switch_in": 1, "switch_out": 385}
    response = manager_client.post(url("ports"), payload, format="json")
    assert response.status_code == 201, response.data
    assert response.data["switch"]["name"] == "Polatis 2"
    payload = {**payload, "name": "tf_3", "switch": polatis.pk, "switch_out": 386}
    response = manager_client.post(url("ports"), payload, format="json")
    assert response.status_code == 400
    assert "already used by port tf_1" in str(response.data["switch_in"][0])


def test_a_port_cannot_be_patched_into_its_own_device(manager_client):
    device = DeviceFactory()
    response = manager_client.post(url("ports"), {"device": device.pk, "name": "x", "switch": device.pk}, format="json")
    assert response.status_code == 400
    assert "switch" in response.data


def test_filter_ports_by_switch(member_client):
    polatis = DeviceFactory()
    PortFactory(name="tf_1", switch=polatis, switch_in=1, switch_out=2)
    PortFactory(name="tf_2")
    response = member_client.get(url("ports"), {"switch": polatis.pk})
    assert [p["name"] for p in response.data["results"]] == ["tf_1"]
