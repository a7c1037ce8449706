"""maintenance_window_create / delete."""

import pytest

from core.exceptions import NotAllowed, RuleConflict
from core.models import AuditEvent
from scheduler import signals
from scheduler.choices import BookingStatus as S
from scheduler.models import MaintenanceWindow
from scheduler.services.maintenance import maintenance_window_create, maintenance_window_delete
from scheduler.tests.conftest import at, request_one
from scheduler.tests.factories import BookingFactory

pytestmark = pytest.mark.usefixtures("now")


def test_window_rejects_undecided_requests(member, other_member, manager, roadm):
    """Overlapping undecided requests are rejected with a note naming the window; others stay."""
    hit = request_one(member, roadm, at(10), at(12))
    outside = request_one(other_member, roadm, at(18), at(20))
    seen = []
    signals.maintenance_scheduled.connect(lambda sender, **kw: seen.append(kw), weak=False, dispatch_uid="t-maint")
    try:
        window = maintenance_window_create(actor=manager, device=roadm, start=at(11), end=at(17), reason="firmware")
    finally:
        signals.maintenance_scheduled.disconnect(dispatch_uid="t-maint")
    hit.refresh_from_db()
    outside.refresh_from_db()
    assert (hit.status, outside.status) == (S.REJECTED, S.PENDING)
    assert hit.decision_note.startswith("Rejected: the device is under maintenance from 11:00 to 17:00 on 2 Dec")
    assert seen[0]["window"] == window and seen[0]["rejected"] == [hit] and seen[0]["cancelled"] == []
    assert AuditEvent.objects.filter(action="scheduler.maintenance.created").exists()


def test_window_refuses_over_confirmed_unless_asked(member, manager, roadm):
    """Confirmed bookings refuse the window (409 listing them) unless cancel_confirmed."""
    confirmed = BookingFactory(device=roadm, start=at(10), end=at(12), status=S.CONFIRMED, group__owner=member)
    with pytest.raises(RuleConflict) as excinfo:
        maintenance_window_create(actor=manager, device=roadm, start=at(11), end=at(17))
    assert [(c["booking"], c["owner"], c["reason"]) for c in excinfo.value.conflicts] == [(confirmed.pk, "member", "confirmed_booking")]
    assert not MaintenanceWindow.objects.exists()
    maintenance_window_create(actor=manager, device=roadm, start=at(11), end=at(17), cancel_confirmed=True)
    confirmed.refresh_from_db()
    assert confirmed.status == S.CANCELLED


def test_window_reevaluates_neighbours(member, other_member, manager, roadm):
    """A conflict whose other side is rejected by the window goes back to pending."""
    a = request_one(member, roadm, at(10), at(12))
    b = request_one(other_member, roadm, at(11), at(16))
    maintenance_window_create(actor=manager, device=roadm, start=at(14), end=at(17))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.status, b.status) == (S.PENDING, S.REJECTED)


def test_only_managers(member, manager, roadm):
    """Members can neither create nor delete windows."""
    with pytest.raises(NotAllowed):
        maintenance_window_create(actor=member, device=roadm, start=at(11), end=at(17))
    window = maintenance_window_create(actor=manager, device=roadm, start=at(11), end=at(17))
    with pytest.raises(NotAllowed):
        maintenance_window_delete(window=window, actor=member)
    maintenance_window_delete(window=window, actor=manager)
    assert not MaintenanceWindow.objects.exists()
    assert AuditEvent.objects.filter(action="scheduler.maintenance.deleted").exists()


def test_a_window_that_is_already_over_touches_no_booking(member, other_member, manager, roadm):
    """Recording past maintenance (e.g. 06:00-08:00 today, now 09:00) neither refuses nor cancels the
    running confirmed booking it overlapped, nor rejects a running request: their future is unaffected."""
    running = BookingFactory(device=roadm, start=at(5, day=1), end=at(12, day=1), status=S.CONFIRMED,
                             group__owner=member)
    request = BookingFactory(device=roadm, start=at(5, day=1), end=at(12, day=1), status=S.PENDING,
                             group__owner=other_member)
    window = maintenance_window_create(actor=manager, device=roadm, start=at(6, day=1), end=at(8, day=1))
    running.refresh_from_db()
    request.refresh_from_db()
    assert (running.status, request.status) == (S.CONFIRMED, S.PENDING)
    assert AuditEvent.objects.get(action="scheduler.maintenance.created", target_id=str(window.pk)).data["rejected"] == []
