"""POST /api/scheduler/power/outlets/{id}/ and the outlet list: the answers of DESIGN §11."""

from datetime import timedelta

import pytest

from core import clock
from core.models import AuditEvent
from inventory.tests.factories import OutletFactory
from scheduler.tests.conftest import NOW

URL = "/api/scheduler/power/outlets/"


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW):
        yield


def switch(client, outlet_id, body):
    return client.post(f"{URL}{outlet_id}/", body, format="json")


def test_switch_answers_the_state_read_back(manager_client, roadm_outlet, pdu_sim):
    response = switch(manager_client, roadm_outlet.pk, {"action": "on"})
    assert response.status_code == 200, response.data
    assert response.json() == {"outlet": roadm_outlet.pk, "action": "on", "before": "off", "state": "on",
                               "read_at": "2026-12-01T09:00:00Z"}


@pytest.mark.parametrize("body", [{"action": "ON"}, {"action": "toggle"}, {}, {"action": None}, {"action": ["on"]},
                                  {"action": "on", "force": "maybe"}, "on"])
def test_anything_but_the_enum_is_a_400_and_nothing_is_switched(manager_client, roadm_outlet, pdu_sim, body):
    response = switch(manager_client, roadm_outlet.pk, body)
    assert response.status_code == 400
    assert pdu_sim.pdu.calls == []


def test_an_unknown_outlet_is_a_404(manager_client, db):
    response = switch(manager_client, 999999, {"action": "on"})
    assert response.status_code == 404
    assert response.json() == {"detail": "No outlet with id 999999."}
    assert manager_client.get("/api/scheduler/power/outlets/999999/").status_code == 404


def test_an_outlet_number_the_pdu_lacks_is_a_400(manager_client, sim_pdu, pdu_sim):
    outlet = OutletFactory(pdu=sim_pdu, number=16)
    pdu_sim.pdu.on = pdu_sim.pdu.on[:8]  # the PDU really has 8 outlets
    response = switch(manager_client, outlet.pk, {"action": "off"})
    assert response.status_code == 400
    assert "has 8 outlets; there is no outlet 16" in response.json()["detail"]


def test_a_member_who_does_not_hold_it_gets_403_with_the_reason(member_client, roadm_outlet):
    response = switch(member_client, roadm_outlet.pk, {"action": "on"})
    assert response.status_code == 403
    assert "confirmed booking of it covering now" in response.json()["detail"]
    assert AuditEvent.objects.get(action="scheduler.power.switch").data["result"] == "refused"


def test_anonymous_is_401(anon_client, roadm_outlet):
    assert switch(anon_client, roadm_outlet.pk, {"action": "on"}).status_code in (401, 403)


def test_409_names_the_holder_and_force_lets_a_manager_through(manager_client, member, roadm_outlet, hold, pdu_sim):
    hold(member, roadm_outlet.device, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    response = switch(manager_client, roadm_outlet.pk, {"action": "cycle"})
    assert response.status_code == 409
    assert response.json()["holders"] == ["member"]
    assert "held now by member" in response.json()["detail"]
    assert switch(manager_client, roadm_outlet.pk, {"action": "cycle", "force": True}).status_code == 200


def test_pdu_failure_is_502_and_no_answer_is_504(manager_client, roadm_outlet, pdu_sim, settings):
    pdu_sim.pdu.fault = "garbage"
    response = switch(manager_client, roadm_outlet.pk, {"action": "on"})
    assert response.status_code == 502 and "cannot be read" in response.json()["detail"]
    settings.PDU_TIMEOUT = 0.3
    pdu_sim.pdu.fault, pdu_sim.pdu.hang_seconds = "hang", 2
    response = switch(manager_client, roadm_outlet.pk, {"action": "on"})
    assert response.status_code == 504 and "did not answer" in response.json()["detail"]


def test_outlet_list_shows_device_mode_state_readings_and_holders(member_client, member, roadm_outlet, hold, sim_pdu,
                                                                   django_assert_max_num_queries):
    hold(member, roadm_outlet.device, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    for n in range(4, 16):
        OutletFactory(pdu=sim_pdu, number=n)
    with django_assert_max_num_queries(5):
        response = member_client.get(URL)
    assert response.status_code == 200
    row = next(r for r in response.json()["results"] if r["id"] == roadm_outlet.pk)
    assert row["device"]["name"] == "ROADM 7"
    assert (row["mode"], row["state"], row["power_w"], row["current_a"], row["read_at"]) == (
        "manual", "unknown", None, None, None)
    assert row["holders"] == ["member"]
    assert response.json()["count"] == 13


def test_the_schema_types_the_switch(member_client):
    schema = member_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    post = schema["paths"]["/api/scheduler/power/outlets/{id}/"]["post"]
    assert set(post["responses"]) >= {"200", "400", "403", "409", "502", "504"}
    body = schema["components"]["schemas"]["SwitchInputRequest"]
    assert body["properties"]["action"]["$ref"].endswith("PowerActionEnum")
    assert schema["components"]["schemas"]["PowerActionEnum"]["enum"] == ["on", "off", "cycle"]
