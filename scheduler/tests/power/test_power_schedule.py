"""Booking-driven power by the worker, with a frozen clock and the simulator."""

from datetime import timedelta

import pytest

from core import clock
from core.models import AuditEvent, Notification
from inventory.tests.factories import OutletFactory
from scheduler.services.power_schedule import power_schedule_apply
from scheduler.tests.conftest import NOW


@pytest.fixture
def booked_outlet(roadm_outlet):
    roadm_outlet.mode = "booking"
    roadm_outlet.save()
    return roadm_outlet


def run(at):
    with clock.frozen(at):
        return power_schedule_apply()


def switches(sim):
    return [(number, params.get("pstate")) for _, number, params in sim.pdu.switch_times()]


def test_on_lead_minutes_before_a_confirmed_booking_and_off_after_it_ends(member, booked_outlet, hold, pdu_sim, settings):
    settings.POWER_LEAD_MINUTES = 10
    start = NOW + timedelta(hours=1)
    hold(member, booked_outlet.device, start, start + timedelta(hours=2))
    run(start - timedelta(minutes=11))  # not yet: the state was never read, so the schedule makes sure it is off
    assert switches(pdu_sim) == [(3, 0)]
    pdu_sim.pdu.calls.clear()
    run(start - timedelta(minutes=10, seconds=1))
    assert switches(pdu_sim) == []
    assert run(start - timedelta(minutes=10)) == 1
    assert switches(pdu_sim) == [(3, 1)] and pdu_sim.pdu.on[2] is True
    assert run(start + timedelta(minutes=30)) == 0  # decided once, done once
    assert run(start + timedelta(hours=2) - timedelta(seconds=1)) == 0
    assert run(start + timedelta(hours=2)) == 1
    assert switches(pdu_sim) == [(3, 1), (3, 0)] and pdu_sim.pdu.on[2] is False
    assert run(start + timedelta(hours=3)) == 0
    decisions = AuditEvent.objects.filter(action="scheduler.power.planned").order_by("id")
    assert [e.data["wanted"] for e in decisions] == ["off", "on", "off"]
    assert AuditEvent.objects.filter(action="scheduler.power.switch", data__cause="schedule").count() == 3


def test_default_lead_time_is_ten_minutes():
    from labsite import settings as defaults

    assert defaults.POWER_LEAD_MINUTES == 10


def test_never_off_while_another_booking_runs_or_starts_within_the_lead(member, other_member, booked_outlet, hold,
                                                                       pdu_sim):
    first = NOW + timedelta(hours=1)
    hold(member, booked_outlet.device, first, first + timedelta(hours=2))
    hold(other_member, booked_outlet.device, first + timedelta(hours=1), first + timedelta(hours=3))  # overlaps
    hold(member, booked_outlet.device, first + timedelta(hours=3, minutes=5), first + timedelta(hours=4))  # 5 min gap
    run(first - timedelta(minutes=10))
    for minutes in range(0, 240, 15):
        run(first + timedelta(minutes=minutes))
    assert switches(pdu_sim) == [(3, 1)]
    run(first + timedelta(hours=4))
    assert switches(pdu_sim) == [(3, 1), (3, 0)]


def test_a_pending_request_running_keeps_power_on_but_never_switches_it_on(member, other_member, booked_outlet, hold,
                                                                          pdu_sim):
    first = NOW + timedelta(hours=1)
    hold(member, booked_outlet.device, first, first + timedelta(hours=1))
    hold(other_member, booked_outlet.device, first + timedelta(minutes=30), first + timedelta(hours=2), status="pending")
    run(first)
    run(first + timedelta(hours=1, minutes=30))  # the confirmed one has ended; the pending one still runs
    assert switches(pdu_sim) == [(3, 1)]
    run(first + timedelta(hours=2))
    assert switches(pdu_sim) == [(3, 1), (3, 0)]


@pytest.mark.parametrize("mode", ["always_on", "manual"])
def test_always_on_and_manual_outlets_are_never_switched_by_the_schedule(member, roadm_outlet, hold, pdu_sim, mode):
    roadm_outlet.mode = mode
    roadm_outlet.save()
    start = NOW + timedelta(hours=1)
    hold(member, roadm_outlet.device, start, start + timedelta(hours=1))
    for minutes in (-10, 0, 60, 120):
        run(start + timedelta(minutes=minutes))
    assert switches(pdu_sim) == []


def test_a_holder_switching_off_by_hand_is_not_overruled(member, booked_outlet, hold, pdu_sim):
    from scheduler.services.power import outlet_switch

    start = NOW + timedelta(hours=1)
    hold(member, booked_outlet.device, start, start + timedelta(hours=2))
    run(start - timedelta(minutes=10))
    with clock.frozen(start + timedelta(minutes=5)):
        outlet_switch(outlet=booked_outlet, actor=member, action="off")
    run(start + timedelta(minutes=20))
    assert pdu_sim.pdu.on[2] is False


def test_a_failing_pdu_is_retried_with_backoff_and_reported_once(member, booked_outlet, hold, pdu_sim, settings):
    settings.PDU_BACKOFF_SECONDS = 60
    start = NOW + timedelta(hours=1)
    hold(member, booked_outlet.device, start, start + timedelta(hours=2))
    pdu_sim.pdu.fault = "error"
    lead_time = start - timedelta(minutes=10)
    for seconds in range(0, 300, 5):  # the worker's pass every 5 s for 5 minutes
        run(lead_time + timedelta(seconds=seconds))
    tries = AuditEvent.objects.filter(action="scheduler.power.switch", data__result="failed")
    assert tries.count() == 3  # at 0, 60 s and 180 s: backing off, not on every pass
    assert Notification.objects.filter(event="pdu_failing").count() == 1
    assert Notification.objects.filter(event="power_switch_failed").count() == 0
    pdu_sim.pdu.fault = ""
    run(lead_time + timedelta(minutes=20))
    assert pdu_sim.pdu.on[2] is True
    assert Notification.objects.filter(event="pdu_recovered").count() == 1


def test_one_failing_pdu_does_not_hold_up_another(member, booked_outlet, hold, pdu_sim, make_sim):
    from inventory.tests.power_fixtures import pdu_for

    other_sim = make_sim()
    other = OutletFactory(pdu=pdu_for(other_sim), number=1, mode="booking")
    start = NOW + timedelta(hours=1)
    hold(member, booked_outlet.device, start, start + timedelta(hours=1))
    hold(member, other.device, start, start + timedelta(hours=1))
    pdu_sim.pdu.fault = "error"
    run(start)
    assert other_sim.pdu.on[0] is True


def test_leaving_booking_mode_drops_the_plan(member, booked_outlet, hold, pdu_sim):
    from scheduler.models import PowerPlan

    start = NOW + timedelta(hours=1)
    hold(member, booked_outlet.device, start, start + timedelta(hours=2))
    run(start)
    assert PowerPlan.objects.get(outlet=booked_outlet).wanted == "on"
    booked_outlet.mode = "manual"
    booked_outlet.save()
    pdu_sim.pdu.on[2] = False  # switched off by hand while manual
    run(start + timedelta(minutes=5))
    assert not PowerPlan.objects.exists()
    booked_outlet.mode = "booking"
    booked_outlet.save()
    run(start + timedelta(minutes=10))  # back in booking mode during the booking: on again
    assert pdu_sim.pdu.on[2] is True
