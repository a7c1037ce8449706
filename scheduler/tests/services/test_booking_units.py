"""Units: every active booking holds one of its device's units; the services hand them out.

The exclusion constraint itself is PostgreSQL's (test_booking_units_postgres.py); these tests run
on both databases and check what the services write.
"""

import pytest
from django.db import IntegrityError, transaction

from core.exceptions import RuleConflict
from core.models import AuditEvent
from core.tests.factories import UserFactory
from scheduler.choices import BookingStatus as S
from scheduler.models import Booking
from scheduler.services.booking import (
    booking_approve,
    booking_cancel,
    booking_expire_due,
    booking_extend,
    booking_group_rebook,
    booking_reject,
    booking_request,
)
from scheduler.services.booking.units import UnitPlanner, units_beyond
from scheduler.tests.conftest import at, request_one
from scheduler.tests.factories import BookingFactory, BookingGroupFactory

pytestmark = pytest.mark.usefixtures("now")


def units(device):
    return list(Booking.objects.filter(device=device).order_by("start", "id").values_list("status", "unit"))


def test_overlapping_requests_take_the_lowest_free_units(member, other_member, roadm, manager):
    first = request_one(member, roadm, at(10), at(12))
    second = request_one(other_member, roadm, at(11), at(13))
    after = request_one(member, roadm, at(12), at(14))  # back to back with the first: unit 1 is free again
    assert [b.unit for b in (first, second, after)] == [1, 2, 1]


def test_one_request_with_several_items_on_a_device(member, roadm):
    group = booking_request(requester=member, items=[
        {"device": roadm, "start": at(8), "end": at(10)}, {"device": roadm, "start": at(10), "end": at(12)},
    ])
    assert [b.unit for b in group.created_bookings] == [1, 1]


def test_leaving_the_active_set_frees_the_unit(member, other_member, roadm, manager):
    first = request_one(member, roadm, at(10), at(12))
    second = request_one(other_member, roadm, at(10), at(12))
    booking_cancel(booking=first, actor=member)
    booking_reject(booking=second, actor=manager)
    assert units(roadm) == [(S.CANCELLED, None), (S.REJECTED, None)]
    assert request_one(member, roadm, at(10), at(12)).unit == 1


def test_expiry_frees_the_unit(member, roadm):
    booking = BookingFactory(device=roadm, start=at(6, day=1), end=at(8, day=1), status=S.PENDING)
    assert booking.unit == 1
    booking_expire_due()
    booking.refresh_from_db()
    assert (booking.status, booking.unit) == (S.EXPIRED, None)


def test_approval_keeps_the_unit(member, other_member, roadm, manager):
    request_one(member, roadm, at(10), at(12))
    second = request_one(other_member, roadm, at(11), at(13))
    booking_approve(booking=second, actor=manager)
    second.refresh_from_db()
    assert (second.status, second.unit) == (S.CONFIRMED, 2)


def test_fragmented_units_are_renumbered_by_start(member, other_member, roadm):
    """Unit 1 held 08-10 and unit 2 held 12-14: 09-13 fits (depth 2) but no single unit is free for
    it. The cluster is renumbered by start: 08-10 -> 1, 09-13 -> 2, 12-14 -> 1; the change is audited."""
    early = BookingFactory(device=roadm, start=at(8), end=at(10), status=S.CONFIRMED, unit=1)
    late = BookingFactory(device=roadm, start=at(12), end=at(14), status=S.CONFIRMED, unit=2)
    middle = request_one(UserFactory(username="carol"), roadm, at(9), at(13))
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.unit, middle.unit, late.unit) == (1, 2, 1)
    event = AuditEvent.objects.get(action="scheduler.device.units_renumbered")
    assert event.data == {"units": {str(late.pk): 1}}


def test_renumbering_includes_the_earlier_items_of_the_same_request(member, roadm):
    """13-14 takes unit 1 beside 12-14 (unit 2); then 09-13 finds no free unit and the cluster is
    renumbered with the unwritten 13-14 in it, so no two overlapping bookings share a unit."""
    BookingFactory(device=roadm, start=at(8), end=at(10), status=S.CONFIRMED, unit=1)
    BookingFactory(device=roadm, start=at(12), end=at(14), status=S.CONFIRMED, unit=2)
    booking_request(requester=UserFactory(username="carol"), items=[
        {"device": roadm, "start": at(13), "end": at(14)}, {"device": roadm, "start": at(9), "end": at(13)},
    ])
    rows = list(Booking.objects.filter(device=roadm).values_list("start", "end", "unit"))
    assert max(unit for *_, unit in rows) <= 2
    assert not any(a[2] == b[2] and a[0] < b[1] and b[0] < a[1] for i, a in enumerate(rows) for b in rows[i + 1:])


def test_renumbering_never_uses_more_units_than_the_depth(roadm):
    """Random-looking fragmentation on a capacity-3 device: every placement fits within 3 units."""
    roadm.capacity = 3
    roadm.save()
    rows = [BookingFactory(device=roadm, start=at(h), end=at(h + 3), status=S.CONFIRMED, unit=u)
            for h, u in ((6, 3), (9, 1), (12, 2), (15, 3))]
    planner = UnitPlanner({roadm.pk: rows}, actor=None)
    for h in (7, 10, 13, 16):
        new = Booking(group=BookingGroupFactory(), device=roadm, start=at(h), end=at(h + 3), status=S.PENDING)
        planner.place(new, roadm)
        new.save()
    active = list(Booking.objects.filter(device=roadm))
    assert max(b.unit for b in active) <= 3
    for a in active:
        for b in active:
            if a.pk < b.pk and a.start < b.end and b.start < a.end:
                assert a.unit != b.unit


def test_extending_keeps_the_unit_while_it_is_free(member, other_member, roadm):
    mine = request_one(member, roadm, at(10), at(12))
    theirs = request_one(other_member, roadm, at(13), at(15))
    assert booking_extend(booking=mine, actor=member, end=at(13)).unit == 1  # back to back: still free
    # Unit 1 is held 13-15 by the other booking: stretched over it, the booking moves to unit 2.
    moved = booking_extend(booking=mine, actor=member, end=at(14))
    theirs.refresh_from_db()
    assert (moved.pk, moved.unit, theirs.unit) == (mine.pk, 2, 1)
    moved.refresh_from_db()
    assert moved.unit == 2


def test_extending_a_confirmed_booking_gives_the_new_piece_a_unit(member, other_member, switch):
    switch.capacity = 2
    switch.save()
    first = request_one(member, switch, at(10), at(12))  # confirmed at once (no approval)
    request_one(other_member, switch, at(12), at(14))
    piece = booking_extend(booking=first, actor=member, end=at(13))
    assert piece.pk != first.pk and piece.unit == 2


def test_rebooked_sessions_take_units(member, roadm):
    booking = request_one(member, roadm, at(10), at(12))
    copy = booking_group_rebook(group=booking.group, actor=member, start=at(10, day=3))
    assert [b.unit for b in copy.bookings.all()] == [1]


def test_an_active_booking_without_a_unit_is_refused_by_the_database(roadm):
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(group=BookingGroupFactory(), device=roadm, start=at(10), end=at(12), status=S.PENDING)


def test_units_beyond_names_the_bookings_to_move(member, other_member, roadm):
    request_one(member, roadm, at(10), at(12))
    second = request_one(other_member, roadm, at(11), at(13))
    assert units_beyond(roadm, 1) == [second]
    assert units_beyond(roadm, 2) == []


def test_capacity_refusal_when_the_units_run_out(member, other_member, roadm, monkeypatch):
    """The planner never hands out a unit beyond the capacity, even when the checks let a request through."""
    from scheduler.services.booking import checks

    request_one(member, roadm, at(10), at(12))
    request_one(other_member, roadm, at(10), at(12))
    monkeypatch.setattr(checks.rules, "depth_with", lambda *args, **kwargs: 1)
    with pytest.raises(RuleConflict) as excinfo:
        request_one(UserFactory(username="carol"), roadm, at(10), at(12))
    assert excinfo.value.conflicts[0]["reason"] == "capacity"
    assert "ROADM 3 is fully booked" in excinfo.value.message
    assert Booking.objects.filter(device=roadm).count() == 2


def test_a_booking_post_costs_no_query_for_units(member, roadm, client_for, django_assert_max_num_queries):
    """The planner reuses the rows the checks read: a booking POST that meets another user's booking
    (soft conflict, notification) costs 15 queries, as before units existed."""
    request_one(member, roadm, at(8), at(9))
    client = client_for(UserFactory(username="carol"))
    with django_assert_max_num_queries(15):
        response = client.post("/api/scheduler/bookings/", {"device": roadm.pk, "start": at(8).isoformat(),
                                                             "end": at(9).isoformat()}, format="json")
    assert response.status_code == 201, response.content
    assert Booking.objects.get(pk=response.json()["id"]).unit == 2
