"""Devices through the API: reads nest brief objects, writes take ids, bad input is a 400."""

import pytest

from inventory.models import Device
from inventory.tests.api.routes import url
from inventory.tests.factories import (
    DeviceFactory,
    DeviceTypeFactory,
    ManufacturerFactory,
    PortFactory,
    SiteFactory,
    TagFactory,
)


@pytest.fixture
def roadm(db):
    return DeviceTypeFactory(name="ROADM", category="OPTICAL")


def test_create_takes_ids_and_answers_with_brief_objects(manager_client, manager, roadm):
    """POST with ids answers 201 with nested {id, name, ...} objects, as a GET would."""
    site, maker = SiteFactory(name="Lab A"), ManufacturerFactory(name="Lumentum")
    red, blue = TagFactory(name="red", color="#ff0000"), TagFactory(name="blue", color="#0000ff")
    payload = {"name": "roadm-1", "device_type": roadm.pk, "site": site.pk, "manufacturer": maker.pk,
               "tags": [red.pk, blue.pk], "serial_number": "SN1", "oi_id": "OI-1", "mgmt_ip": "10.0.0.5",
               "status": "maintenance", "capacity": 3}
    response = manager_client.post(url("devices"), payload, format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["device_type"] == {"id": roadm.pk, "name": "ROADM", "category": "OPTICAL"}
    assert data["site"] == {"id": site.pk, "name": "Lab A"}
    assert data["manufacturer"] == {"id": maker.pk, "name": "Lumentum"}
    assert sorted(data["tags"], key=lambda t: t["name"]) == [
        {"id": blue.pk, "name": "blue", "color": "#0000ff"}, {"id": red.pk, "name": "red", "color": "#ff0000"}]
    assert data["created_by"] == {"id": manager.pk, "username": "manager"}
    assert data["effective_capacity"] == 3 and data["is_bookable"] is False
    assert data["ports"] == []
    assert manager_client.get(url("devices", data["id"])).data == data


def test_device_read_lists_its_ports(member_client):
    """A device's ports come back brief with the device."""
    port = PortFactory(name="tf_1", switch_in=1, switch_out=2)
    data = member_client.get(url("devices", port.device_id)).data
    assert data["ports"] == [{"id": port.pk, "name": "tf_1", "switch_in": 1, "switch_out": 2}]


def test_patch_changes_only_the_fields_sent(manager_client, roadm):
    """PATCH keeps the other fields; tags sent replace the device's tags; null clears a nullable link."""
    device = DeviceFactory(device_type=roadm, site=SiteFactory(), hostname="h1")
    device.tags.add(TagFactory(name="old"))
    new = TagFactory(name="new")
    response = manager_client.patch(url("devices", device.pk), {"site": None, "tags": [new.pk]}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["site"] is None and response.data["hostname"] == "h1"
    assert [t["name"] for t in response.data["tags"]] == ["new"]


def test_put_replaces_the_device(manager_client, roadm):
    device = DeviceFactory(device_type=roadm, name="a", rack="R1")
    response = manager_client.put(url("devices", device.pk), {"name": "b", "device_type": roadm.pk}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["name"] == "b"


def test_delete_removes_the_device(manager_client):
    device = DeviceFactory()
    assert manager_client.delete(url("devices", device.pk)).status_code == 204
    assert not Device.objects.filter(pk=device.pk).exists()
    assert manager_client.get(url("devices", device.pk)).status_code == 404


def test_mgmt_ip_can_be_cleared_with_an_empty_string(manager_client):
    device = DeviceFactory(mgmt_ip="10.0.0.1")
    response = manager_client.patch(url("devices", device.pk), {"mgmt_ip": ""}, format="json")
    assert response.status_code == 200
    assert response.data["mgmt_ip"] is None


# --- bad input -----------------------------------------------------------------------------------


def _existing(roadm):
    return DeviceFactory(device_type=roadm, name="taken", serial_number="SN-1", oi_id="OI-1")


BAD_CREATES = [
    ("duplicate serial", {"serial_number": "SN-1"}, "serial_number"),
    ("duplicate asset id", {"oi_id": "OI-1"}, "oi_id"),
    ("duplicate type and name", {"name": "taken"}, "non_field_errors"),
    ("invalid IP", {"mgmt_ip": "10.0.0.300"}, "mgmt_ip"),
    ("unknown device type", {"device_type": 999999}, "device_type"),
    ("unknown site", {"site": 999999}, "site"),
    ("unknown tag", {"tags": [999999]}, "tags"),
    ("tags not a list", {"tags": "red"}, "tags"),
    ("null name", {"name": None}, "name"),
    ("null device type", {"device_type": None}, "device_type"),
    ("null serial", {"serial_number": None}, "serial_number"),
    ("name not a string", {"name": {"a": 1}}, "name"),
    ("device type not an id", {"device_type": "ROADM"}, "device_type"),
    ("u_position not a number", {"u_position": "top"}, "u_position"),
    ("negative u_position", {"u_position": -1}, "u_position"),
    ("zero capacity", {"capacity": 0}, "capacity"),
    ("capacity too large", {"capacity": 10**9}, "capacity"),
    ("unknown status", {"status": "broken"}, "status"),
    ("oversized name", {"name": "x" * 101}, "name"),
    ("oversized hostname", {"hostname": "h" * 254}, "hostname"),
    ("oversized asset id", {"oi_id": "O" * 51}, "oi_id"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_CREATES, ids=[c[0] for c in BAD_CREATES])
def test_bad_create_is_a_400_with_the_field_named(manager_client, roadm, case, change, field):
    """Invalid or conflicting input is answered 400 with the failing field, never 500."""
    _existing(roadm)
    payload = {"name": "fresh", "device_type": roadm.pk, **change}
    response = manager_client.post(url("devices"), payload, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    assert Device.objects.count() == 1


@pytest.mark.parametrize(("case", "change", "field"), BAD_CREATES, ids=[c[0] for c in BAD_CREATES])
def test_bad_patch_is_a_400_and_changes_nothing(manager_client, roadm, case, change, field):
    _existing(roadm)
    device = DeviceFactory(device_type=roadm, name="mine")
    response = manager_client.patch(url("devices", device.pk), change, format="json")
    assert response.status_code == 400, response.data
    assert field in response.data
    device.refresh_from_db()
    assert device.name == "mine" and device.serial_number == ""


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "{not json", "null"])
def test_body_that_is_not_an_object_is_a_400(manager_client, roadm, body):
    response = manager_client.generic("POST", url("devices"), body, content_type="application/json")
    assert response.status_code == 400


def test_blank_serial_and_asset_id_may_repeat(manager_client, roadm):
    """Unique 'when set': many devices may leave serial and asset id empty."""
    DeviceFactory(device_type=roadm, serial_number="", oi_id="")
    response = manager_client.post(url("devices"), {"name": "n2", "device_type": roadm.pk, "serial_number": "",
                                                     "oi_id": ""}, format="json")
    assert response.status_code == 201, response.data


def test_same_name_is_allowed_for_another_type(manager_client, roadm):
    DeviceFactory(device_type=roadm, name="unit-1")
    other = DeviceTypeFactory(name="EDFA")
    response = manager_client.post(url("devices"), {"name": "unit-1", "device_type": other.pk}, format="json")
    assert response.status_code == 201


def test_unknown_device_is_a_404(member_client, db):
    assert member_client.get(url("devices", 999999)).status_code == 404
    assert member_client.get(url("devices", "abc")).status_code == 404
