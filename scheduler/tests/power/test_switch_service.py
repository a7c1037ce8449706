"""Who may switch an outlet, what they get back, and the audit and announcements of every attempt."""

from datetime import timedelta

import pytest

from core import clock
from core.exceptions import ApplicationError, NotAllowed, RuleConflict
from core.models import AuditEvent, Notification
from inventory.pdu_driver import PduBadAnswer, PduTimeout
from inventory.tests.factories import OutletFactory
from inventory.tests.power_fixtures import PASSWORD
from scheduler.services.power import outlet_switch
from scheduler.tests.conftest import NOW


@pytest.fixture(autouse=True)
def frozen():
    with clock.frozen(NOW):
        yield


def audits():
    return list(AuditEvent.objects.filter(action="scheduler.power.switch").order_by("id"))


def test_a_manager_switches_any_outlet_and_gets_the_state_read_back(manager, roadm_outlet, pdu_sim):
    result = outlet_switch(outlet=roadm_outlet, actor=manager, action="on")
    assert (result.before, result.state, result.read_at) == ("off", "on", NOW)
    assert pdu_sim.pdu.on[2] is True
    roadm_outlet.refresh_from_db()
    assert (roadm_outlet.state, roadm_outlet.read_at) == ("on", NOW)
    [event] = audits()
    assert event.actor == manager
    assert {k: event.data[k] for k in ("outlet", "device", "action", "before", "after", "result")} == {
        "outlet": roadm_outlet.pk, "device": roadm_outlet.device_id, "action": "on", "before": "off", "after": "on",
        "result": "ok"}
    assert PASSWORD not in str(event.data)
    assert not Notification.objects.exists()


@pytest.mark.parametrize("role", ["owner", "collaborator"])
def test_the_holder_of_a_confirmed_booking_covering_now_may_switch(member, other_member, roadm_outlet, hold, role):
    owner, actor = (member, member) if role == "owner" else (other_member, member)
    hold(owner, roadm_outlet.device, NOW - timedelta(hours=1), NOW + timedelta(hours=1),
         collaborators=[member] if role == "collaborator" else ())
    assert outlet_switch(outlet=roadm_outlet, actor=actor, action="on").state == "on"
    assert outlet_switch(outlet=roadm_outlet, actor=actor, action="off").state == "off"


@pytest.mark.parametrize("when,status", [("later", "confirmed"), ("now", "pending"), ("past", "confirmed")])
def test_anyone_else_is_refused_with_the_reason_and_the_attempt_is_audited(member, roadm_outlet, hold, pdu_sim,
                                                                            when, status):
    start = {"later": NOW + timedelta(hours=2), "now": NOW - timedelta(hours=1), "past": NOW - timedelta(hours=3)}[when]
    hold(member, roadm_outlet.device, start, start + timedelta(hours=2), status=status)
    with pytest.raises(NotAllowed, match="confirmed booking of it covering now") as refused:
        outlet_switch(outlet=roadm_outlet, actor=member, action="on")
    assert refused.value.status_code == 403
    assert pdu_sim.pdu.calls == []
    [event] = audits()
    assert (event.actor, event.data["result"], event.data["action"]) == (member, "refused", "on")


def test_an_outlet_powering_no_device_is_for_managers_only(member, sim_pdu):
    outlet = OutletFactory(pdu=sim_pdu, number=9, device=None)
    with pytest.raises(NotAllowed, match="powers no device"):
        outlet_switch(outlet=outlet, actor=member, action="on")


@pytest.mark.parametrize("action", ["ON", "toggle", "", None, 1])
def test_actions_are_an_explicit_enum(manager, roadm_outlet, pdu_sim, action):
    with pytest.raises(ApplicationError, match="Unknown action") as caught:
        outlet_switch(outlet=roadm_outlet, actor=manager, action=action)
    assert caught.value.status_code == 400
    assert pdu_sim.pdu.calls == []


@pytest.mark.parametrize("action", ["off", "cycle"])
def test_cutting_a_device_someone_else_holds_is_refused_naming_the_holder(member, other_member, roadm_outlet, hold,
                                                                          pdu_sim, action):
    hold(member, roadm_outlet.device, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    hold(other_member, roadm_outlet.device, NOW - timedelta(hours=1), NOW + timedelta(hours=2))
    with pytest.raises(RuleConflict, match="held now by other") as conflict:
        outlet_switch(outlet=roadm_outlet, actor=member, action=action, force=True)  # force is for managers only
    assert conflict.value.extra["holders"] == ["other"]
    assert pdu_sim.pdu.calls == []
    assert audits()[-1].data["result"] == "refused"
    # switching on is harmless and allowed
    assert outlet_switch(outlet=roadm_outlet, actor=member, action="on").state == "on"


def test_a_manager_needs_force_and_a_forced_switch_is_announced(manager, member, roadm_outlet, hold, pdu_sim):
    pdu_sim.pdu.on[2] = True
    hold(member, roadm_outlet.device, NOW - timedelta(hours=1), NOW + timedelta(hours=1))
    with pytest.raises(RuleConflict, match="held now by member. Switching off it would cut their session. Send force"):
        outlet_switch(outlet=roadm_outlet, actor=manager, action="off")
    assert outlet_switch(outlet=roadm_outlet, actor=manager, action="off", force=True).state == "off"
    event = audits()[-1]
    assert (event.data["result"], event.data["force"], event.data["holders"]) == ("ok", True, ["member"])
    [note] = Notification.objects.filter(event="power_switch_forced")
    assert note.destination == "admin"
    assert "forced" in note.payload["content"] and "member" in note.payload["content"]


def test_a_pdu_that_does_not_answer_is_a_504_audited_and_announced(manager, roadm_outlet, pdu_sim, settings):
    settings.PDU_TIMEOUT = 0.3
    pdu_sim.pdu.fault, pdu_sim.pdu.hang_seconds = "hang", 2
    with pytest.raises(PduTimeout) as failed:
        outlet_switch(outlet=roadm_outlet, actor=manager, action="on")
    assert failed.value.status_code == 504
    event = audits()[-1]
    assert (event.data["result"], event.data["after"]) == ("failed", "unknown")
    assert "did not answer" in event.data["reason"]
    assert Notification.objects.filter(event="power_switch_failed").count() == 1
    roadm_outlet.refresh_from_db()
    assert roadm_outlet.switching_until is None  # the lease is given back


def test_a_command_the_relay_ignores_is_reported_with_the_state_read_back(manager, roadm_outlet, pdu_sim):
    pdu_sim.pdu.fault = "stuck"
    with pytest.raises(PduBadAnswer, match="accepted the command, but outlet 3 reads off") as failed:
        outlet_switch(outlet=roadm_outlet, actor=manager, action="on")
    assert failed.value.extra == {"state": "off"}
    assert audits()[-1].data["result"] == "failed"
