"""Earliest window: exact starts from the events that free things, grid-aligned, within the horizon."""

from datetime import timedelta

import pytest

from core.exceptions import ApplicationError
from scheduler.models import BookingPolicy
from scheduler.tests.conftest import NOW, at
from scheduler.tests.factories import BookingFactory, MaintenanceWindowFactory
from scheduler.tests.topology.lab import lab_build, topology_of
from scheduler.topology.earliest import grid_ceil, topology_earliest
from scheduler.topology.models import PortReservation

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def lab(db):
    lab = lab_build()
    for n in (1, 2):
        lab.device("ROADM", f"ROADM {n}", ports=2)
    lab.device("TeraFlex", "TeraFlex 1", ports=1)
    return lab


def test_earliest_is_the_first_grid_slot_after_the_blocking_booking_ends(member, other_member, lab):
    # Both ROADMs are full (capacity 2) until 13:10 and 15:00 tomorrow: the pair fits from 15:00.
    for name, until in (("ROADM 1", at(13, 10)), ("ROADM 2", at(15))):
        for _ in range(2):
            BookingFactory(device=lab.devices[name], group__owner=other_member, start=NOW, end=until, status="confirmed")
    topology = topology_of(member, lab, [("r1", "ROADM"), ("r2", "ROADM")], [("r1", "r2")])
    answer = topology_earliest(topology=topology, actor=member, duration_minutes=120, k=3)
    starts = [w["start"] for w in answer["windows"]]
    assert starts[0] == at(15)
    assert len(starts) == 1 or starts[1] > starts[0]
    assert answer["windows"][0]["end"] == at(17)
    assert {n["device"] for n in answer["windows"][0]["mapping"]["nodes"]} == {lab.devices["ROADM 1"].pk, lab.devices["ROADM 2"].pk}


def test_now_when_free_rounded_up_to_the_grid(member, lab):
    topology = topology_of(member, lab, [("t", "TeraFlex")])
    answer = topology_earliest(topology=topology, actor=member, duration_minutes=60, after=at(10, 7))
    assert answer["windows"][0]["start"] == at(10, 30)


def test_port_reservation_end_and_maintenance_end_are_events(member, other_member, lab):
    MaintenanceWindowFactory(device=lab.devices["ROADM 2"], start=NOW, end=at(20))
    booking = BookingFactory(device=lab.devices["TeraFlex 1"], group__owner=other_member, start=NOW, end=at(8))
    PortReservation.objects.create(group=booking.group, booking=booking, port=lab.ports["teraflex_1_p1"],
                                   peer=lab.ports["roadm_1_p1"], side="a", a_key="a", b_key="b", start=NOW, end=at(11, 45))
    topology = topology_of(member, lab, [("t", "TeraFlex"), ("r", "ROADM")], [("t", "r")])
    answer = topology_earliest(topology=topology, actor=member, duration_minutes=30)
    assert answer["windows"][0]["start"] == at(12)
    assert answer["windows"][0]["mapping"]["nodes"][1]["device"] == lab.devices["ROADM 1"].pk
    pinned = topology_of(member, lab, [("r", "=ROADM 2")])
    assert topology_earliest(topology=pinned, actor=member, duration_minutes=30)["windows"][0]["start"] == at(20)


def test_nothing_within_the_horizon_gives_reasons(member, lab):
    BookingPolicy.load()
    BookingPolicy.objects.filter(pk=1).update(horizon=timedelta(days=2))
    MaintenanceWindowFactory(device=lab.devices["TeraFlex 1"], start=NOW, end=NOW + timedelta(days=5))
    topology = topology_of(member, lab, [("t", "TeraFlex")])
    answer = topology_earliest(topology=topology, actor=member, duration_minutes=60)
    assert answer["windows"] == []
    assert [r["code"] for r in answer["reasons"]] == ["horizon", "type_shortage"]
    assert "TeraFlex 1 is under maintenance" in answer["reasons"][1]["message"]


def test_duration_must_fit_the_policy(member, lab):
    topology = topology_of(member, lab, [("t", "TeraFlex")])
    with pytest.raises(ApplicationError, match="slots"):
        topology_earliest(topology=topology, actor=member, duration_minutes=45)
    with pytest.raises(ApplicationError, match="at most"):
        topology_earliest(topology=topology, actor=member, duration_minutes=60 * 24 * 30)


def test_grid_ceil_keeps_grid_values_and_rounds_up_others():
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Dublin")
    assert grid_ceil(at(10), 30, tz) == at(10)
    assert grid_ceil(at(10, 1), 30, tz) == at(10, 30)
    assert grid_ceil(at(23, 59), 60, tz) == at(0, day=3)
