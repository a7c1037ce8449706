"""Approve, reject, cancel, extend, rebook, collaborators and expiry."""

from datetime import UTC, datetime

import pytest

from core import clock
from core.exceptions import ApplicationError, NotAllowed, NotFound, RuleConflict
from core.models import AuditEvent
from core.tests.factories import UserFactory
from scheduler import signals
from scheduler.choices import BookingStatus as S
from scheduler.models import Booking, BookingGroup
from scheduler.services import booking as svc
from scheduler.tests.conftest import NOW, at, request_one
from scheduler.tests.factories import BookingFactory, MaintenanceWindowFactory

pytestmark = pytest.mark.usefixtures("now")


def refresh(*bookings):
    for b in bookings:
        b.refresh_from_db()
    return [b.status for b in bookings]


@pytest.fixture
def captured():
    """Collect the domain signals sent during a test."""
    seen = []

    def receiver(signal, sender, **kwargs):
        seen.append((signal, kwargs))

    names = ["booking_requested", "booking_decided", "booking_cancelled", "booking_extended", "booking_rebooked",
             "maintenance_scheduled", "booking_expired"]
    for name in names:
        getattr(signals, name).connect(receiver, weak=False, dispatch_uid=f"test-{name}")
    yield seen
    for name in names:
        getattr(signals, name).disconnect(dispatch_uid=f"test-{name}")


def test_approve_confirms(member, manager, roadm, captured):
    """A manager confirms a pending request; the decision is recorded, audited and signalled."""
    booking = request_one(member, roadm, at(10), at(12))
    svc.booking_approve(booking=booking, actor=manager, note="ok")
    booking.refresh_from_db()
    assert (booking.status, booking.decided_by, booking.decided_at, booking.decision_note) == (S.CONFIRMED, manager, NOW, "ok")
    assert AuditEvent.objects.filter(action="scheduler.booking.approved", actor=manager).count() == 1
    decided = [kw for sig, kw in captured if sig is signals.booking_decided]
    assert decided[0]["decision"] == "confirmed" and decided[0]["bookings"] == [booking]


def test_only_managers_decide(member, other_member, roadm):
    """The owner may not approve; someone who cannot see it gets 404."""
    booking = request_one(member, roadm, at(10), at(12))
    with pytest.raises(NotAllowed):
        svc.booking_approve(booking=booking, actor=member)
    with pytest.raises(NotFound):
        svc.booking_reject(booking=booking, actor=other_member)


def test_approving_a_conflicting_request_within_capacity(member, other_member, manager, roadm):
    """Sharing: both conflicting requests can be confirmed on a capacity-2 device."""
    a = request_one(member, roadm, at(10), at(12))
    b = request_one(other_member, roadm, at(11), at(13))
    svc.booking_approve(booking=a, actor=manager)
    svc.booking_approve(booking=b, actor=manager)
    assert refresh(a, b) == [S.CONFIRMED, S.CONFIRMED]


def test_approval_never_exceeds_confirmed_capacity(member, other_member, manager, roadm):
    """Capacity 1: the second overlapping approval is refused with 409."""
    roadm.capacity = 1
    roadm.save()
    a = BookingFactory(device=roadm, start=at(10), end=at(12), status=S.CONFIRMED)
    b = BookingFactory(device=roadm, start=at(11), end=at(13), status=S.CONFLICTING, group__owner=other_member)
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_approve(booking=b, actor=manager)
    assert excinfo.value.conflicts[0]["reason"] == "capacity"
    assert refresh(a, b) == [S.CONFIRMED, S.CONFLICTING]


def test_approval_depth_not_count(manager, roadm):
    """Confirmed [10-12] and [12-14]; approving [9-15] gives depth 2 = capacity: allowed."""
    BookingFactory(device=roadm, start=at(10), end=at(12), status=S.CONFIRMED)
    BookingFactory(device=roadm, start=at(12), end=at(14), status=S.CONFIRMED)
    c = BookingFactory(device=roadm, start=at(9), end=at(15), status=S.CONFLICTING)
    svc.booking_approve(booking=c, actor=manager)
    assert refresh(c) == [S.CONFIRMED]


@pytest.mark.parametrize("status", [S.CONFIRMED, S.REJECTED, S.CANCELLED, S.EXPIRED])
def test_only_undecided_can_be_decided(manager, roadm, status):
    """Approve/reject of a decided or final booking is a 409."""
    booking = BookingFactory(device=roadm, start=at(10), end=at(12), status=status)
    for service in (svc.booking_approve, svc.booking_reject):
        with pytest.raises(RuleConflict, match="Only pending or conflicting"):
            service(booking=booking, actor=manager)


def test_reject_reevaluates_neighbours(member, other_member, manager, roadm):
    """Rejecting one side of a conflict sets the other back to pending."""
    a = request_one(member, roadm, at(10), at(12))
    b = request_one(other_member, roadm, at(11), at(13))
    svc.booking_reject(booking=b, actor=manager, note="no")
    assert refresh(a, b) == [S.PENDING, S.REJECTED]
    assert b.decision_note == "no"


def test_reevaluation_keeps_conflicts_with_others(member, other_member, manager, roadm):
    """A conflicting request that still overlaps a third user's booking stays conflicting."""
    third = UserFactory()
    a = request_one(member, roadm, at(10), at(12))
    b = request_one(other_member, roadm, at(11), at(13))
    c = request_one(third, roadm, at(12), at(14))
    svc.booking_cancel(booking=a, actor=member)
    assert refresh(a, b, c) == [S.CANCELLED, S.CONFLICTING, S.CONFLICTING]
    svc.booking_cancel(booking=c, actor=third)
    assert refresh(b) == [S.PENDING]


def test_reevaluation_confirms_when_no_approval_needed(member, other_member, switch):
    """On a type without approval, a conflicting request freed of its overlap is confirmed."""
    switch.capacity = 2
    switch.save()
    a = request_one(member, switch, at(10), at(12))
    b = request_one(other_member, switch, at(11), at(13))
    assert refresh(a, b) == [S.CONFIRMED, S.CONFLICTING]
    svc.booking_cancel(booking=a, actor=member)
    assert refresh(b) == [S.CONFIRMED]


def test_cancel_permissions(member, other_member, manager, roadm):
    """Owner and manager cancel; a collaborator may not; a stranger gets 404."""
    group = svc.booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}],
                                collaborators=["other"])
    booking = group.bookings.get()
    with pytest.raises(NotAllowed):
        svc.booking_cancel(booking=booking, actor=other_member)
    with pytest.raises(NotFound):
        svc.booking_cancel(booking=booking, actor=UserFactory())
    svc.booking_cancel(booking=booking, actor=manager)
    assert refresh(booking) == [S.CANCELLED]
    with pytest.raises(RuleConflict, match="already cancelled"):
        svc.booking_cancel(booking=booking, actor=member)


def test_cancel_confirmed_and_ended(member, roadm):
    """A confirmed booking can be cancelled before it ends, not after."""
    booking = BookingFactory(device=roadm, start=at(10), end=at(12), status=S.CONFIRMED, group__owner=member)
    ended = BookingFactory(device=roadm, start=at(6, day=1), end=at(8, day=1), status=S.CONFIRMED, group__owner=member)
    svc.booking_cancel(booking=booking, actor=member)
    with pytest.raises(RuleConflict, match="ended"):
        svc.booking_cancel(booking=ended, actor=member)


def test_extend_undecided_moves_the_end(member, other_member, roadm):
    """Extending a pending request moves its end and re-checks: overlapping now means conflicting."""
    a = request_one(member, roadm, at(10), at(12))
    b = request_one(other_member, roadm, at(13), at(14))
    result = svc.booking_extend(booking=a, actor=member, end=at(14))
    assert result.pk == a.pk
    a.refresh_from_db()
    assert (a.end, a.status) == (at(14), S.CONFLICTING)
    assert refresh(b) == [S.CONFLICTING]


def test_extend_confirmed_adds_a_request(member, manager, roadm, captured):
    """Extending a confirmed booking adds [old end, new end) as a pending request; the confirmed part stays."""
    a = request_one(member, roadm, at(10), at(12))
    svc.booking_approve(booking=a, actor=manager)
    added = svc.booking_extend(booking=a, actor=member, end=at(15))
    a.refresh_from_db()
    assert (a.status, a.end) == (S.CONFIRMED, at(12))
    assert (added.group_id, added.start, added.end, added.status) == (a.group_id, at(12), at(15), S.PENDING)
    assert [kw["bookings"] for sig, kw in captured if sig is signals.booking_extended] == [[added]]


def test_extend_refusals(member, other_member, roadm):
    """Earlier ends, capacity and strangers are refused; collaborators may extend."""
    group = svc.booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}],
                                collaborators=["other"])
    a = group.bookings.get()
    with pytest.raises(RuleConflict, match="after the current end"):
        svc.booking_extend(booking=a, actor=member, end=at(11))
    with pytest.raises(NotFound):
        svc.booking_extend(booking=a, actor=UserFactory(), end=at(13))
    request_one(UserFactory(), roadm, at(12), at(14))
    request_one(UserFactory(), roadm, at(12), at(14))
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_extend(booking=a, actor=other_member, end=at(13))
    assert excinfo.value.conflicts[0]["reason"] == "capacity"
    MaintenanceWindowFactory(device=roadm, start=at(20), end=at(22))
    with pytest.raises(RuleConflict):
        svc.booking_extend(booking=a, actor=member, end=at(21))


def test_collaborator_extends(member, other_member, roadm):
    """A collaborator extends the session's booking."""
    group = svc.booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}],
                                collaborators=["other"])
    extended = svc.booking_extend(booking=group.bookings.get(), actor=other_member, end=at(13))
    assert extended.end == at(13)


def test_group_extend_moves_the_latest_end(member, manager, roadm, amp):
    """Group extend touches the bookings ending at the session's latest end only."""
    group = svc.booking_request(requester=member, items=[
        {"device": roadm, "start": at(10), "end": at(12)},
        {"device": amp, "start": at(10), "end": at(12)},
        {"device": roadm, "start": at(8, day=3), "end": at(9, day=3)},
    ])
    svc.booking_group_extend(group=group, actor=member, end=at(11, day=3))
    ends = sorted((b.device.name, b.start.day, b.end) for b in group.bookings.all())
    assert ends == [("Amp 1", 2, at(12)), ("ROADM 3", 2, at(12)), ("ROADM 3", 3, at(11, day=3))]


def test_group_extend_all_or_nothing(member, roadm, amp):
    """If one latest booking cannot be extended, none is."""
    group = svc.booking_request(requester=member, items=[
        {"device": roadm, "start": at(10), "end": at(12)},
        {"device": amp, "start": at(10), "end": at(12)},
    ])
    MaintenanceWindowFactory(device=amp, start=at(12), end=at(13))
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_group_extend(group=group, actor=member, end=at(14))
    assert [c["device"] for c in excinfo.value.conflicts] == [amp.pk]
    assert set(group.bookings.values_list("end", flat=True)) == {at(12)}


def test_group_cancel(member, other_member, roadm, amp, captured):
    """Cancelling a session cancels its active bookings and re-evaluates neighbours on each device."""
    group = svc.booking_request(requester=member, items=[
        {"device": roadm, "start": at(10), "end": at(12)},
        {"device": amp, "start": at(10), "end": at(12)},
    ])
    neighbour = request_one(other_member, amp, at(11), at(13))
    cancelled = svc.booking_group_cancel(group=group, actor=member)
    assert len(cancelled) == 2
    assert set(group.bookings.values_list("status", flat=True)) == {S.CANCELLED}
    assert refresh(neighbour) == [S.PENDING]
    with pytest.raises(RuleConflict, match="Nothing left"):
        svc.booking_group_cancel(group=group, actor=member)
    assert len([1 for sig, _ in captured if sig is signals.booking_cancelled]) == 1


def test_group_approve_all_or_nothing(member, manager, roadm, amp):
    """Group approval confirms every undecided booking, or none when one would exceed capacity."""
    amp.capacity = 1
    amp.save()
    group = svc.booking_request(requester=member, items=[
        {"device": roadm, "start": at(10), "end": at(12)},
        {"device": amp, "start": at(10), "end": at(12)},
    ])
    blocker = BookingFactory(device=amp, start=at(11), end=at(12), status=S.CONFIRMED)
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_group_approve(group=group, actor=manager)
    assert [c["device"] for c in excinfo.value.conflicts] == [amp.pk]
    blocker.delete()
    assert len(svc.booking_group_approve(group=group, actor=manager)) == 2
    with pytest.raises(RuleConflict):
        svc.booking_group_approve(group=group, actor=manager)


def test_group_reject(member, other_member, manager, roadm):
    """Group rejection refuses the undecided bookings; members cannot do it."""
    group = svc.booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}])
    with pytest.raises(NotAllowed):
        svc.booking_group_reject(group=group, actor=member)
    with pytest.raises(NotFound):
        svc.booking_group_reject(group=group, actor=other_member)
    assert [b.status for b in svc.booking_group_reject(group=group, actor=manager, note="full")] == [S.REJECTED]


def test_rebook_copies_offsets(member, roadm, amp, captured):
    """Rebook copies devices, offsets and durations to a new start, as a new session with the same collaborators."""
    UserFactory(username="carol")
    group = svc.booking_request(requester=member, message="OSNR sweep", collaborators=["carol"], items=[
        {"device": roadm, "start": at(10), "end": at(12)},
        {"device": amp, "start": at(7, day=3), "end": at(12, day=3)},
    ])
    new = svc.booking_group_rebook(group=group, actor=member, start=at(14, day=9))
    assert new.pk != group.pk and new.owner == member and new.message == "OSNR sweep"
    assert list(new.collaborators.values_list("username", flat=True)) == ["carol"]
    windows = sorted((b.device.name, b.start, b.end, b.status) for b in new.bookings.all())
    assert windows == [("Amp 1", at(11, day=10), at(16, day=10), S.PENDING), ("ROADM 3", at(14, day=9), at(16, day=9), S.PENDING)]
    assert AuditEvent.objects.filter(action="scheduler.group.rebooked").count() == 1
    assert [kw["source"] for sig, kw in captured if sig is signals.booking_rebooked] == [group]


def test_rebook_keeps_wall_clock_across_dst(member, roadm):
    """A 10:00-12:00 Dublin session rebooked from March to April stays 10:00-12:00 local."""
    with clock.frozen(datetime(2026, 3, 20, 9, tzinfo=UTC)):
        group = svc.booking_request(requester=member, items=[
            {"device": roadm, "start": datetime(2026, 3, 27, 10), "end": datetime(2026, 3, 27, 12)},
            {"device": roadm, "start": datetime(2026, 3, 30, 10), "end": datetime(2026, 3, 30, 12)},
        ])
        new = svc.booking_group_rebook(group=group, actor=member, start=datetime(2026, 3, 20, 10))
    starts = [b.start for b in new.bookings.order_by("start")]
    assert starts == [datetime(2026, 3, 20, 10, tzinfo=UTC), datetime(2026, 3, 23, 10, tzinfo=UTC)]
    with clock.frozen(datetime(2026, 3, 20, 9, tzinfo=UTC)):
        later = svc.booking_group_rebook(group=group, actor=member, start=datetime(2026, 4, 6, 10, 30))
    assert [b.start for b in later.bookings.order_by("start")] == [
        datetime(2026, 4, 6, 9, 30, tzinfo=UTC), datetime(2026, 4, 9, 9, 30, tzinfo=UTC)]


def test_rebook_refusals(member, other_member, roadm):
    """Only the owner rebooks; a conflict saves nothing."""
    group = svc.booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}],
                                collaborators=["other"])
    with pytest.raises(NotAllowed):
        svc.booking_group_rebook(group=group, actor=other_member, start=at(10, day=5))
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_group_rebook(group=group, actor=member, start=at(11))
    assert excinfo.value.conflicts[0]["reason"] == "own_overlap"
    assert BookingGroup.objects.count() == 1


def test_set_collaborators(member, other_member, roadm):
    """The owner replaces the collaborators; collaborators cannot; unknown names are a 400."""
    group = svc.booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}],
                                collaborators=["other"])
    UserFactory(username="dave")
    with pytest.raises(NotAllowed):
        svc.booking_group_set_collaborators(group=group, actor=other_member, usernames=[])
    svc.booking_group_set_collaborators(group=group, actor=member, usernames=["DAVE"])
    assert list(group.collaborators.values_list("username", flat=True)) == ["dave"]
    with pytest.raises(ApplicationError, match="Unknown username: zed"):
        svc.booking_group_set_collaborators(group=group, actor=member, usernames=["zed"])


def test_expire_due(member, other_member, roadm, captured):
    """Undecided requests whose end passed expire; confirmed ones stay; conflicting neighbours are re-evaluated."""
    past = BookingFactory(device=roadm, start=at(6, day=1), end=at(8, day=1), status=S.PENDING)
    conflicting_past = BookingFactory(device=roadm, start=at(6, day=1), end=at(9, day=1), status=S.CONFLICTING,
                                      group__owner=other_member)
    running = BookingFactory(device=roadm, start=at(8, day=1), end=at(11, day=1), status=S.CONFLICTING,
                             group__owner=member)
    done = BookingFactory(device=roadm, start=at(5, day=1), end=at(7, day=1), status=S.CONFIRMED)
    expired = svc.booking_expire_due()
    assert {b.pk for b in expired} == {past.pk, conflicting_past.pk}
    assert refresh(past, conflicting_past, running, done) == [S.EXPIRED, S.EXPIRED, S.PENDING, S.CONFIRMED]
    assert [kw["bookings"] for sig, kw in captured if sig is signals.booking_expired][0] == expired
    assert svc.booking_expire_due() == []


def test_status_changes_are_audited(member, manager, roadm):
    """Every status change has an audit event with from/to."""
    booking = request_one(member, roadm, at(10), at(12))
    svc.booking_approve(booking=booking, actor=manager)
    svc.booking_cancel(booking=booking, actor=member)
    actions = list(AuditEvent.objects.filter(target_id=str(booking.pk)).order_by("id").values_list("action", flat=True))
    assert actions == ["scheduler.booking.requested", "scheduler.booking.approved", "scheduler.booking.cancelled"]
    assert Booking.objects.get(pk=booking.pk).status == S.CANCELLED


def test_approve_refuses_unbookable_or_maintenance(manager, roadm):
    """A request on a device now under maintenance or out of service cannot be approved."""
    booking = BookingFactory(device=roadm, start=at(10), end=at(12), status=S.PENDING)
    MaintenanceWindowFactory(device=roadm, start=at(11), end=at(13))
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_approve(booking=booking, actor=manager)
    assert excinfo.value.conflicts[0]["reason"] == "maintenance"
    roadm.status = "retired"
    roadm.save()
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_approve(booking=booking, actor=manager)
    assert excinfo.value.conflicts[0]["reason"] == "unavailable"


def test_approve_refuses_a_request_that_has_ended(member, manager, roadm):
    """A request whose end has passed (not yet expired by the worker) is not confirmed after the fact."""
    ended = BookingFactory(device=roadm, start=at(6, day=1), end=at(8, day=1), status=S.PENDING, group__owner=member)
    with pytest.raises(RuleConflict, match="has ended") as excinfo:
        svc.booking_approve(booking=ended, actor=manager)
    assert excinfo.value.conflicts[0]["reason"] == "validation"
    assert refresh(ended) == [S.PENDING]


def test_group_approve_leaves_ended_requests_to_expiry(member, manager, roadm, amp):
    """Group approval confirms the session's requests that have not ended; ended ones are left to expire."""
    group = svc.booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}])
    ended = BookingFactory(group=group, device=amp, start=at(6, day=1), end=at(8, day=1), status=S.PENDING)
    approved = svc.booking_group_approve(group=group, actor=manager)
    assert [b.device for b in approved] == [roadm]
    assert refresh(ended) == [S.PENDING]
    only_ended = BookingFactory(device=amp, start=at(6, day=1), end=at(8, day=1), status=S.PENDING).group
    with pytest.raises(RuleConflict, match="no pending or conflicting requests"):
        svc.booking_group_approve(group=only_ended, actor=manager)


def test_extensions_cannot_be_chained_past_the_maximum_duration(member, manager, roadm):
    """The maximum duration (21 days) holds for the whole stretch a booking and its extensions make:
    extending the extension, pending or confirmed, counts from the start of the original booking."""
    original = request_one(member, roadm, at(10), at(10, day=22))  # 20 days
    svc.booking_approve(booking=original, actor=manager)
    piece = svc.booking_extend(booking=original, actor=member, end=at(10, day=23))  # 21 days: allowed
    assert (piece.start, piece.status) == (at(10, day=22), S.PENDING)
    with pytest.raises(RuleConflict, match="in one stretch") as excinfo:
        svc.booking_extend(booking=piece, actor=member, end=at(10, day=24))
    assert excinfo.value.conflicts[0]["reason"] == "validation"
    svc.booking_approve(booking=piece, actor=manager)
    with pytest.raises(RuleConflict, match="in one stretch"):
        svc.booking_extend(booking=piece, actor=member, end=at(10, day=24))
    with pytest.raises(RuleConflict, match="in one stretch"):
        svc.booking_group_extend(group=piece.group, actor=member, end=at(10, day=24))
    assert Booking.objects.filter(group=piece.group).count() == 2


def test_rebook_checks_the_past_and_the_per_user_limit(member, roadm, amp):
    """A copy goes through every rule of a new request: not into the past, not beyond the owner's limit."""
    from scheduler.models import BookingPolicy

    group = svc.booking_request(requester=member, items=[
        {"device": roadm, "start": at(10), "end": at(12)},
        {"device": amp, "start": at(10), "end": at(12)},
    ])
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_group_rebook(group=group, actor=member, start=at(10, day=30, month=11))
    assert {c["reason"] for c in excinfo.value.conflicts} == {"validation"}
    policy = BookingPolicy.load()
    policy.max_active_bookings_per_user = 3
    policy.save()
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_group_rebook(group=group, actor=member, start=at(10, day=5))
    assert [c["reason"] for c in excinfo.value.conflicts] == ["limit"]
    assert BookingGroup.objects.count() == 1


def test_automatic_confirmation_is_announced(member, other_member, switch, captured):
    """A conflicting request that re-evaluation confirms on its own (type without approval) is announced
    to its owner like a decision, with a note saying why; nobody is named as the decider."""
    switch.capacity = 2
    switch.save()
    request_one(member, switch, at(10), at(12))
    b = request_one(other_member, switch, at(11), at(13))
    svc.booking_cancel(booking=Booking.objects.get(group__owner=member), actor=member)
    decided = [kw for sig, kw in captured if sig is signals.booking_decided]
    assert [(kw["bookings"], kw["decision"], kw["actor"]) for kw in decided] == [([b], S.CONFIRMED, None)]
    assert "no longer overlaps" in decided[0]["note"]
    b.refresh_from_db()
    assert (b.status, b.decided_by, b.decision_note) == (S.CONFIRMED, None, decided[0]["note"])
