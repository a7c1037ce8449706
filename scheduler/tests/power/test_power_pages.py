"""The managers' power page, the switch confirmation step and the device page's power section."""

from datetime import timedelta

import pytest

from core import clock
from core.models import AuditEvent
from inventory.tests.factories import OutletFactory, PduFactory
from scheduler.tests.conftest import NOW


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW):
        yield


def test_power_page_is_for_managers(client, member, manager, roadm_outlet):
    client.force_login(member)
    assert client.get("/power/").status_code == 403
    client.force_login(manager)
    response = client.get("/power/")
    assert response.status_code == 200
    assert b"ROADM 7" in response.content


def test_power_page_lists_every_pdu_and_outlet_in_constant_queries(client, manager, member, roadm_outlet, hold,
                                                                   django_assert_max_num_queries):
    hold(member, roadm_outlet.device, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    for _ in range(3):
        pdu = PduFactory()
        for n in range(1, 17):
            OutletFactory(pdu=pdu, number=n)
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get("/power/")
    html = response.content.decode()
    assert html.count('name="action" value="off"') == 49
    assert "member" in html  # the holder of ROADM 7
    assert "style=" not in html and "<script>" not in html


def test_switching_goes_through_a_confirmation_step(client, manager, roadm_outlet, pdu_sim):
    client.force_login(manager)
    url = f"/power/outlets/{roadm_outlet.pk}/switch/"
    page = client.get(url, {"action": "on", "next": "/power/"})
    assert page.status_code == 200
    assert b"Switch on now" in page.content
    assert pdu_sim.pdu.calls == []  # nothing switched by looking
    done = client.post(url, {"action": "on", "next": "/power/"}, follow=True)
    assert done.redirect_chain[-1][0] == "/power/"
    assert "the PDU reads it on (was off)" in done.content.decode()
    assert pdu_sim.pdu.on[2] is True


def test_confirmation_for_a_held_device_asks_a_manager_for_force(client, manager, member, roadm_outlet, hold, pdu_sim):
    hold(member, roadm_outlet.device, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    client.force_login(manager)
    url = f"/power/outlets/{roadm_outlet.pk}/switch/"
    page = client.get(url, {"action": "off"}).content.decode()
    assert 'name="force"' in page and "member hold" in page
    refused = client.post(url, {"action": "off"}, follow=True).content.decode()
    assert "held now by member" in refused
    assert not pdu_sim.pdu.switch_times()
    client.post(url, {"action": "off", "force": "on"})
    assert len(pdu_sim.pdu.switch_times()) == 1


def test_a_member_sees_the_reason_and_no_switch_form(client, member, roadm_outlet, pdu_sim):
    client.force_login(member)
    response = client.get(f"/power/outlets/{roadm_outlet.pk}/switch/", {"action": "on"})
    assert response.status_code == 403
    assert b"confirmed booking of it covering now" in response.content
    assert b"Switch on now" not in response.content
    client.post(f"/power/outlets/{roadm_outlet.pk}/switch/", {"action": "on"})
    assert pdu_sim.pdu.calls == []
    assert AuditEvent.objects.filter(action="scheduler.power.switch", data__result="refused").count() == 1


@pytest.mark.parametrize("action", ["", "ON", "toggle"])
def test_an_unknown_action_is_a_400_page(client, manager, roadm_outlet, action):
    client.force_login(manager)
    assert client.get(f"/power/outlets/{roadm_outlet.pk}/switch/", {"action": action}).status_code == 400
    assert client.post(f"/power/outlets/{roadm_outlet.pk}/switch/", {"action": action}).status_code == 400


def test_next_never_leaves_the_site(client, manager, roadm_outlet, pdu_sim):
    client.force_login(manager)
    response = client.post(f"/power/outlets/{roadm_outlet.pk}/switch/", {"action": "on", "next": "https://evil.example/"})
    assert response["Location"] == f"/devices/{roadm_outlet.device_id}/"


def test_device_page_shows_its_outlet_state_readings_and_time(client, member, roadm_outlet, hold):
    roadm_outlet.state, roadm_outlet.power_w, roadm_outlet.current_a, roadm_outlet.read_at = "on", 61.0, 0.265, NOW
    roadm_outlet.save()
    client.force_login(member)
    html = client.get(f"/devices/{roadm_outlet.device_id}/").content.decode()
    assert "61.0 W" in html and "0.265 A" in html and "Tue 1 Dec 09:00:00" in html
    assert 'value="off"' not in html  # not held: no switch buttons
    hold(member, roadm_outlet.device, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    html = client.get(f"/devices/{roadm_outlet.device_id}/").content.decode()
    assert 'value="off"' in html
