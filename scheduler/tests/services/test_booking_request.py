"""booking_request: validation, bookability, capacity depth, own overlap, soft conflicts, limits."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core.exceptions import ApplicationError, RuleConflict
from core.models import AuditEvent
from core.tests.factories import UserFactory
from scheduler.choices import BookingStatus as S
from scheduler.models import Booking, BookingGroup, BookingPolicy
from scheduler.services.booking import booking_request, booking_request_preview
from scheduler.tests.conftest import at, request_one
from scheduler.tests.factories import MaintenanceWindowFactory

pytestmark = pytest.mark.usefixtures("now")


def conflict_of(excinfo):
    return excinfo.value.conflicts


def test_free_request_is_pending(member, roadm):
    """Without any overlap a request waits for approval."""
    booking = request_one(member, roadm, at(10), at(12))
    assert booking.status == S.PENDING
    assert booking.group.owner == member
    assert AuditEvent.objects.filter(action="scheduler.booking.requested", target_id=str(booking.pk)).exists()


def test_type_without_approval_is_confirmed_at_once(member, switch):
    """A device type that needs no approval confirms a free request."""
    assert request_one(member, switch, at(10), at(12)).status == S.CONFIRMED


def test_overlap_with_another_user_flags_both(member, other_member, roadm):
    """Overlapping another user's request: both become conflicting."""
    first = request_one(member, roadm, at(10), at(12))
    second = request_one(other_member, roadm, at(11), at(13))
    first.refresh_from_db()
    assert (first.status, second.status) == (S.CONFLICTING, S.CONFLICTING)


def test_overlap_with_confirmed_keeps_it_confirmed(member, other_member, roadm):
    """A confirmed booking stays confirmed when someone else asks to share."""
    first = request_one(member, roadm, at(10), at(12))
    Booking.objects.filter(pk=first.pk).update(status=S.CONFIRMED)
    second = request_one(other_member, roadm, at(11), at(13))
    first.refresh_from_db()
    assert (first.status, second.status) == (S.CONFIRMED, S.CONFLICTING)


def test_back_to_back_is_free(member, other_member, roadm):
    """Ending at 12:00 and starting at 12:00 do not conflict."""
    first = request_one(member, roadm, at(10), at(12))
    second = request_one(other_member, roadm, at(12), at(14))
    first.refresh_from_db()
    assert (first.status, second.status) == (S.PENDING, S.PENDING)


def test_capacity_is_depth_not_count(member, roadm):
    """Capacity 2, bookings [10-12] and [12-14] plus [9-15]: depth 2, allowed although three overlap."""
    a, b = UserFactory(), UserFactory()
    request_one(a, roadm, at(10), at(12))
    request_one(b, roadm, at(12), at(14))
    assert request_one(member, roadm, at(9), at(15)).status == S.CONFLICTING


def test_capacity_refuses_depth_beyond(member, roadm):
    """Capacity 2, bookings [10-12] and [11-14]: a third over 11-12 would stack 3 deep."""
    a, b = UserFactory(), UserFactory()
    request_one(a, roadm, at(10), at(12))
    request_one(b, roadm, at(11), at(14))
    with pytest.raises(RuleConflict) as excinfo:
        request_one(member, roadm, at(9), at(15))
    [entry] = conflict_of(excinfo)
    assert entry["reason"] == "capacity" and entry["device"] == roadm.pk and entry["item"] == 0
    assert "ROADM 3 is fully booked" in entry["message"]


def test_capacity_counts_only_active(member, roadm):
    """Rejected, cancelled and expired bookings free their capacity."""
    for status in (S.REJECTED, S.CANCELLED, S.EXPIRED):
        request_one(UserFactory(), roadm, at(10), at(12))
        Booking.objects.filter(device=roadm, status__in=[S.PENDING, S.CONFLICTING]).update(status=status)
    assert request_one(member, roadm, at(10), at(12)).status == S.PENDING


def test_own_overlap_is_refused(member, roadm):
    """A user cannot hold two overlapping bookings of one device."""
    request_one(member, roadm, at(10), at(12))
    with pytest.raises(RuleConflict) as excinfo:
        request_one(member, roadm, at(11), at(13))
    assert conflict_of(excinfo)[0]["reason"] == "own_overlap"
    assert request_one(member, roadm, at(12), at(13)).status == S.PENDING


def test_own_overlap_inside_one_request(member, roadm):
    """Two overlapping items on one device in one request are refused."""
    with pytest.raises(RuleConflict) as excinfo:
        booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)},
                                                 {"device": roadm, "start": at(11), "end": at(12)}])
    assert [c["item"] for c in conflict_of(excinfo)] == [1]
    assert conflict_of(excinfo)[0]["reason"] == "own_overlap"


def test_capacity_counts_items_of_the_same_request(member, roadm):
    """Items of one request take capacity from each other (device of capacity 1)."""
    roadm.capacity = 1
    roadm.save()
    request_one(UserFactory(), roadm, at(10), at(11))
    with pytest.raises(RuleConflict):
        booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}])


def test_collaborator_booking_counts_as_another_user(member, other_member, roadm):
    """Bookings of a session the user only collaborates on are 'another user's' (soft conflict)."""
    request_one(other_member, roadm, at(10), at(12), collaborators=["member"])
    assert request_one(member, roadm, at(10), at(12)).status == S.CONFLICTING


@pytest.mark.parametrize(
    ("start", "end", "needle"),
    [
        (at(12), at(10), "after the start"),
        (at(10, 15), at(12), "grid"),
        (at(10), at(12, 1), "grid"),
        (datetime(2026, 12, 1, 8, 0, tzinfo=UTC), at(12), "past"),
        (at(10), at(10) + timedelta(days=22), "at most 21 days"),
        (datetime(2027, 6, 1, 10, tzinfo=UTC), datetime(2027, 6, 1, 12, tzinfo=UTC), "ahead"),
    ],
)
def test_validation(member, roadm, start, end, needle):
    """Each window rule refuses with reason 'validation' and a readable message."""
    with pytest.raises(RuleConflict) as excinfo:
        request_one(member, roadm, start, end)
    [entry] = conflict_of(excinfo)
    assert entry["reason"] == "validation" and needle in entry["message"]


def test_past_grace(member, roadm, now):
    """A start up to 5 minutes in the past is accepted (on the grid: now=09:00)."""
    assert request_one(member, roadm, now, at(12)).status == S.PENDING


def test_policy_grid_and_limits_are_read(member, roadm):
    """The policy row is the source of slot size, duration and horizon."""
    policy = BookingPolicy.load()
    policy.slot_minutes = 60
    policy.max_duration = timedelta(hours=2)
    policy.save()
    with pytest.raises(RuleConflict):
        request_one(member, roadm, at(10, 30), at(12))
    with pytest.raises(RuleConflict):
        request_one(member, roadm, at(10), at(13))
    assert request_one(member, roadm, at(10), at(12))


def test_offsets_are_respected(member, other_member, roadm):
    """+01:00 and Z denote instants: 11:00+01:00 is 10:00Z and overlaps [10:00Z, 12:00Z)."""
    from datetime import timezone

    plus_one = timezone(timedelta(hours=1))
    first = request_one(member, roadm, datetime(2026, 12, 2, 11, 0, tzinfo=plus_one), datetime(2026, 12, 2, 13, 0, tzinfo=plus_one))
    assert first.start == at(10)
    second = request_one(other_member, roadm, at(11), at(12))
    assert second.status == S.CONFLICTING


def test_naive_times_in_dublin_summer(member, roadm):
    """Naive times are Dublin wall clock: 10:00 in July is 09:00 UTC."""
    from core import clock

    with clock.frozen(datetime(2026, 6, 30, 9, tzinfo=UTC)):
        booking = request_one(member, roadm, datetime(2026, 7, 1, 10, 0), datetime(2026, 7, 1, 12, 0))
    assert booking.start == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)


def test_dst_spring_forward(member, roadm):
    """On 29 Mar 2026 Dublin skips 01:00-02:00: 00:00-03:00 local lasts two real hours; 01:30 is refused."""
    from core import clock

    with clock.frozen(datetime(2026, 3, 28, 9, tzinfo=UTC)):
        booking = request_one(member, roadm, datetime(2026, 3, 29, 0, 0), datetime(2026, 3, 29, 3, 0))
        assert booking.end - booking.start == timedelta(hours=2)
        with pytest.raises(ApplicationError, match="does not exist"):
            request_one(member, roadm, datetime(2026, 3, 29, 1, 30), datetime(2026, 3, 29, 4, 0))
        # 04:00 IST is 03:00 UTC, back to back with the first booking.
        later = request_one(UserFactory(), roadm, datetime(2026, 3, 29, 3, 0, tzinfo=UTC), datetime(2026, 3, 29, 4, 0, tzinfo=UTC))
        assert later.status == S.PENDING and later.start.astimezone(ZoneInfo("Europe/Dublin")).hour == 4


def test_dst_fall_back(member, roadm):
    """On 25 Oct 2026 01:00-02:00 repeats: 00:00-03:00 local lasts four real hours; the grid holds in both hours."""
    from core import clock

    with clock.frozen(datetime(2026, 10, 24, 9, tzinfo=UTC)):
        booking = request_one(member, roadm, datetime(2026, 10, 25, 0, 0), datetime(2026, 10, 25, 3, 0))
        assert booking.end - booking.start == timedelta(hours=4)
        # The second 01:30 (GMT) is 01:30 UTC, on the grid.
        other = request_one(UserFactory(), roadm, datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
                            datetime(2026, 10, 25, 2, 0, tzinfo=UTC))
        assert other.status == S.CONFLICTING


def test_unbookable_device(member, roadm):
    """Only available devices of a schedulable type can be booked."""
    roadm.status = "maintenance"
    roadm.save()
    with pytest.raises(RuleConflict) as excinfo:
        request_one(member, roadm, at(10), at(12))
    assert conflict_of(excinfo)[0]["reason"] == "unavailable"
    roadm.status = "available"
    roadm.save()
    roadm.device_type.is_schedulable = False
    roadm.device_type.save()
    with pytest.raises(RuleConflict) as excinfo:
        request_one(member, roadm, at(10), at(12))
    assert conflict_of(excinfo)[0]["reason"] == "unavailable"


def test_maintenance_window_refuses(member, roadm):
    """A maintenance window over the slot refuses it with the window in the message."""
    MaintenanceWindowFactory(device=roadm, start=at(12, day=3), end=at(18, day=3))
    with pytest.raises(RuleConflict) as excinfo:
        request_one(member, roadm, at(10, day=3), at(13, day=3))
    entry = conflict_of(excinfo)[0]
    assert entry["reason"] == "maintenance"
    assert entry["message"] == "ROADM 3 is under maintenance from 12:00 to 18:00 on 3 Dec; pick another slot or device."
    assert request_one(member, roadm, at(10, day=3), at(12, day=3))


def test_group_is_all_or_nothing_and_names_each_item(member, roadm, amp):
    """One failing item saves nothing; every failing item is listed."""
    MaintenanceWindowFactory(device=amp, start=at(0), end=at(23))
    with pytest.raises(RuleConflict) as excinfo:
        booking_request(requester=member, items=[
            {"device": roadm, "start": at(10), "end": at(12)},
            {"device": amp, "start": at(10), "end": at(12)},
            {"device": roadm, "start": at(13), "end": at(13)},
        ])
    assert [(c["item"], c["reason"]) for c in conflict_of(excinfo)] == [(1, "maintenance"), (2, "validation")]
    assert conflict_of(excinfo)[0]["device_name"] == "Amp 1"
    assert not BookingGroup.objects.exists() and not Booking.objects.exists()


def test_per_user_limit(member, roadm, amp):
    """With a limit of 2 active bookings, a third is refused with reason 'limit'; ended ones do not count."""
    policy = BookingPolicy.load()
    policy.max_active_bookings_per_user = 2
    policy.save()
    request_one(member, roadm, at(10), at(12))
    with pytest.raises(RuleConflict) as excinfo:
        booking_request(requester=member, items=[{"device": amp, "start": at(10), "end": at(12)},
                                                 {"device": amp, "start": at(13), "end": at(14)}])
    assert [(c["item"], c["reason"]) for c in conflict_of(excinfo)] == [(1, "limit")]
    request_one(member, amp, at(10), at(12))
    # An ended confirmed booking no longer counts.
    Booking.objects.filter(device=roadm).update(status=S.CONFIRMED, start=at(6, day=1), end=at(8, day=1))
    assert request_one(member, amp, at(13), at(14))


def test_collaborators(member, other_member, roadm):
    """Collaborators are usernames, matched case-insensitively; unknown ones are named; the owner is refused."""
    UserFactory(username="Alice")
    group = booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}],
                            collaborators=["alice", " OTHER ", "alice", ""])
    assert sorted(group.collaborators.values_list("username", flat=True)) == ["Alice", "other"]
    with pytest.raises(ApplicationError, match="Unknown usernames: bob, eve"):
        booking_request(requester=member, items=[{"device": roadm, "start": at(13), "end": at(14)}],
                        collaborators=["bob", "alice", "eve"])
    with pytest.raises(ApplicationError, match="own name"):
        booking_request(requester=member, items=[{"device": roadm, "start": at(13), "end": at(14)}],
                        collaborators=["MEMBER"])


def test_empty_and_huge_requests(member, roadm):
    """No items or too many items are 400s."""
    with pytest.raises(ApplicationError, match="at least one"):
        booking_request(requester=member, items=[])
    with pytest.raises(ApplicationError, match="at most"):
        booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}] * 201)


def test_preview_writes_nothing(member, other_member, roadm, amp):
    """The preview says free / conflicting / refused per item and writes nothing."""
    request_one(other_member, roadm, at(10), at(12))
    MaintenanceWindowFactory(device=amp, start=at(0), end=at(23))
    before = (Booking.objects.count(), AuditEvent.objects.count())
    checks = booking_request_preview(requester=member, items=[
        {"device": roadm, "start": at(12), "end": at(14)},
        {"device": roadm, "start": at(11), "end": at(12)},
        {"device": amp, "start": at(10), "end": at(12)},
    ])
    assert [c.outcome for c in checks] == ["free", "conflicting", "refused"]
    assert "other" in checks[1].reason
    assert checks[2].code == "maintenance"
    assert (Booking.objects.count(), AuditEvent.objects.count()) == before
