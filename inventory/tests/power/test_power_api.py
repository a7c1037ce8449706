"""inventory/pdus/ and inventory/outlets/: shapes, managers write, numbers in range, no password anywhere."""

import json

import pytest

from core.models import AuditEvent
from inventory.models import Outlet
from inventory.tests.api.routes import url
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, OutletFactory, PduFactory

SECRET = "do-not-leak-this-password"


@pytest.fixture
def pdu(db, monkeypatch):
    monkeypatch.setenv("LABSITE_TEST_PDU_PASSWORD", SECRET)
    return PduFactory(host="pdu-a.lab.example", port=443, scheme="https", verify_tls=True, outlet_count=8)


def test_pdu_shape_and_the_password_appears_nowhere(member_client, pdu):
    response = member_client.get(url("pdus", pdu.pk))
    assert response.status_code == 200
    data = response.json()
    assert {k: data[k] for k in ("id", "host", "port", "scheme", "username", "password_env", "verify_tls",
                                 "outlet_count")} == {
        "id": pdu.pk, "host": "pdu-a.lab.example", "port": 443, "scheme": "https", "username": "admin",
        "password_env": "LABSITE_TEST_PDU_PASSWORD", "verify_tls": True, "outlet_count": 8}
    assert data["device"]["id"] == pdu.device_id
    assert SECRET not in json.dumps(data)
    assert "password" not in data


def test_managers_create_pdus_and_outlets_members_may_not(member_client, manager_client, pdu):
    device = DeviceFactory(name="PDU 9", device_type=DeviceTypeFactory(name="PDU"))
    payload = {"device": device.pk, "host": "10.0.0.9", "port": 443, "scheme": "https", "username": "admin",
               "password_env": "PDU_9_PASSWORD", "verify_tls": True, "outlet_count": 16}
    assert member_client.post(url("pdus"), payload, format="json").status_code == 403
    response = manager_client.post(url("pdus"), payload, format="json")
    assert response.status_code == 201, response.data
    assert AuditEvent.objects.filter(action="inventory.pdu.created").count() == 1
    outlet = {"pdu": response.data["id"], "number": 16, "name": "roadm", "device": None, "mode": "booking"}
    assert member_client.post(url("outlets"), outlet, format="json").status_code == 403
    created = manager_client.post(url("outlets"), outlet, format="json")
    assert created.status_code == 201, created.data
    assert {k: created.data[k] for k in ("number", "name", "mode", "device")} == {
        "number": 16, "name": "roadm", "mode": "booking", "device": None}


@pytest.mark.parametrize("payload,field", [
    ({"password_env": "not a name; rm -rf"}, "password_env"),
    ({"password": "secret"}, None),  # unknown field: ignored, never stored
    ({"scheme": "ftp"}, "scheme"),
    ({"port": 70000}, "port"),
])
def test_pdu_bad_input_is_a_400_and_no_password_is_stored(manager_client, pdu, payload, field):
    response = manager_client.patch(url("pdus", pdu.pk), payload, format="json")
    if field is None:
        assert response.status_code == 200
        assert "secret" not in json.dumps(response.json())
    else:
        assert response.status_code == 400
        assert field in response.data


@pytest.mark.parametrize("number", [0, -1, 9, 65, "x"])
def test_outlet_number_must_be_within_the_pdus_outlets(manager_client, pdu, number):
    response = manager_client.post(url("outlets"), {"pdu": pdu.pk, "number": number, "mode": "manual"}, format="json")
    assert response.status_code == 400
    assert "number" in response.data
    assert not Outlet.objects.exists()


def test_outlet_numbers_are_unique_per_pdu(manager_client, pdu):
    OutletFactory(pdu=pdu, number=2)
    response = manager_client.post(url("outlets"), {"pdu": pdu.pk, "number": 2, "mode": "manual"}, format="json")
    assert response.status_code == 400
    other = PduFactory()
    assert manager_client.post(url("outlets"), {"pdu": other.pk, "number": 2, "mode": "manual"},
                               format="json").status_code == 201


def test_unknown_mode_is_a_400(manager_client, pdu):
    response = manager_client.post(url("outlets"), {"pdu": pdu.pk, "number": 1, "mode": "scheduled"}, format="json")
    assert response.status_code == 400 and "mode" in response.data


def test_outlet_list_has_a_constant_query_count(member_client, pdu, django_assert_max_num_queries):
    for n in range(1, 9):
        OutletFactory(pdu=pdu, number=n)
    with django_assert_max_num_queries(4):
        response = member_client.get(url("outlets"))
    assert response.data["count"] == 8
    assert response.data["results"][0]["pdu"] == {"id": pdu.pk, "name": str(pdu)}


def test_a_pdu_must_be_a_device_of_type_pdu(manager_client, db):
    roadm = DeviceFactory(name="ROADM 1", device_type=DeviceTypeFactory(name="ROADM"))
    payload = {"device": roadm.pk, "host": "10.0.0.9", "username": "admin", "password_env": "PDU_PASSWORD"}
    response = manager_client.post(url("pdus"), payload, format="json")
    assert response.status_code == 400
    assert response.data["device"] == ["Pick a device of type PDU."]


def test_outlet_and_pdu_lists_filter_by_ids_and_an_id_naming_nothing_matches_nothing(member_client, pdu):
    powered = DeviceFactory(name="TeraFlex 7")
    outlet = OutletFactory(pdu=pdu, number=3, device=powered, mode="booking")
    OutletFactory(pdu=pdu, number=4, mode="manual")
    rows = member_client.get(url("outlets"), {"pdu": pdu.pk, "device": powered.pk}).json()["results"]
    assert [row["id"] for row in rows] == [outlet.pk]
    assert member_client.get(url("outlets"), {"mode": "manual"}).json()["count"] == 1
    for path, params in ((url("outlets"), {"pdu": 0}), (url("outlets"), {"device": "x"}), (url("pdus"), {"device": -1})):
        response = member_client.get(path, params)
        assert response.status_code == 400, (path, params)
    assert member_client.get(url("outlets"), {"pdu": 999999}).json()["count"] == 0
    assert member_client.get(url("pdus"), {"device": pdu.device_id}).json()["count"] == 1
    assert member_client.get(url("pdus"), {"device": 999999}).json()["count"] == 0
