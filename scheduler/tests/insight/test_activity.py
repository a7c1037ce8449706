"""Per user, approval latency, weekly counts and the dashboard cards, pinned on hand-built data."""

from datetime import UTC, date, datetime, timedelta

import pytest

from core.models import AuditEvent, Notification
from core.tests.factories import UserFactory
from scheduler.models import Booking, BookingPolicy
from scheduler.selectors.insight.activity import approval_latency, dashboard_cards, usage_per_user, weekly_counts
from scheduler.tests.insight.lab import backdate_devices, book, device, maintenance, utc

pytestmark = pytest.mark.django_db


def stamp(booking, **fields):
    Booking.objects.filter(pk=booking.pk).update(**fields)


def test_approval_latency_median_p90_and_waits():
    """Decided after 1, 2, 3, 10, 30 h: median 3 h, p90 (nearest rank) 30 h, one over the 24 h target.
    A sixth after 40 h: median (3 + 10) / 2 = 6.5 h, p90 40 h. Waiting now: two undecided, one for 30 h."""
    manager = UserFactory(username="boss")
    osa = device("OSA 1", "OSA", 6)
    created = utc(1, 0)
    for hours in (1, 2, 3, 10, 30):
        b = book(osa, utc(5, 7), utc(5, 12))
        stamp(b, created_at=created, decided_at=created + timedelta(hours=hours), decided_by=manager)
    now = utc(3, 12)
    latency = approval_latency(start=utc(1, 0), end=utc(3, 0), now=now)
    assert (latency.decided, latency.median, latency.p90, latency.decided_late) == (
        5, timedelta(hours=3), timedelta(hours=30), 1)
    b = book(osa, utc(5, 7), utc(5, 12))
    stamp(b, created_at=created, decided_at=created + timedelta(hours=40), decided_by=manager)
    waiting = book(osa, utc(5, 7), utc(5, 12), status="pending")
    stamp(waiting, created_at=now - timedelta(hours=30))
    book(osa, utc(5, 7), utc(5, 12), status="conflicting")  # created now
    ended = book(osa, utc(2, 7), utc(2, 12), status="pending")
    stamp(ended, created_at=now - timedelta(days=3))
    latency = approval_latency(start=utc(1, 0), end=utc(4, 0), now=now)
    assert (latency.decided, latency.median, latency.p90, latency.decided_late) == (
        6, timedelta(hours=6.5), timedelta(hours=40), 2)
    assert (latency.waiting_now, latency.waiting_over_target) == (2, 1)
    BookingPolicy.objects.update_or_create(pk=1, defaults={"approval_target": timedelta(hours=2)})
    assert approval_latency(start=utc(1, 0), end=utc(4, 0), now=now).decided_late == 4


def test_usage_per_user_clips_to_the_period():
    """alice: confirmed 1 Dec 22:00 → 2 Dec 04:00 counts 4 h in 2 Dec; bob: one cancelled, one pending session."""
    roadm = device("ROADM 1", "ROADM", 2)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    book(roadm, utc(1, 22), utc(2, 4), owner=alice)
    book(roadm, utc(2, 10), utc(2, 12), owner=alice)
    book(roadm, utc(2, 10), utc(2, 12), status="cancelled", owner=bob)
    book(roadm, utc(2, 13), utc(2, 14), status="pending", owner=bob)
    book(roadm, utc(3, 10), utc(3, 12), owner=bob)  # outside the period
    rows = usage_per_user(start=utc(2, 0), end=utc(3, 0))
    assert [(u.username, u.hours, u.sessions, u.cancellations) for u in rows] == [("alice", 6, 2, 0), ("bob", 0, 1, 1)]


def test_weekly_counts():
    """Week of Mon 30 Nov: 1 conflict, 2 rejections, 1 expiry; week of Mon 7 Dec: 1 cancellation."""
    roadm = device("ROADM 1", "ROADM", 2)
    rejected = [book(roadm, utc(2, 7), utc(2, 12), status="rejected") for _ in range(2)]
    for b in rejected:
        stamp(b, decided_at=utc(1, 9))
    book(roadm, utc(3, 7), utc(3, 12), status="expired")
    cancelled = book(roadm, utc(9, 7), utc(9, 12), status="cancelled")
    stamp(cancelled, updated_at=utc(8, 9))
    event = AuditEvent.objects.create(action="scheduler.booking.requested", target_type="scheduler.booking",
                                      target_id="1", data={"status": "conflicting"})
    AuditEvent.objects.create(action="scheduler.booking.requested", target_type="scheduler.booking", target_id="2",
                              data={"status": "pending"})
    AuditEvent.objects.filter(pk=event.pk).update(created_at=utc(2, 9))
    AuditEvent.objects.exclude(pk=event.pk).update(created_at=utc(2, 9))
    weeks = weekly_counts(start=utc(30, 0, month=11), end=utc(14, 0))
    assert [(w.week.date(), w.conflicts, w.rejections, w.expiries, w.cancellations) for w in weeks] == [
        (date(2026, 11, 30), 1, 2, 1, 0), (date(2026, 12, 7), 0, 0, 0, 1)]


def test_dashboard_cards_week_on_week():
    """Now Thu 10 Dec 12:00. Pending now 2 (one waiting 30 h), a week ago 1 (waiting 51 h then); utilization;
    one device in maintenance now, none a week ago; failed notifications 1 this week, 2 the week before."""
    now = utc(10, 12)
    roadm = device("ROADM 1", "ROADM", 1)
    osa = device("OSA 1", "OSA", 1)
    backdate_devices()
    old = book(roadm, utc(11, 7), utc(11, 12), status="pending")
    stamp(old, created_at=now - timedelta(hours=30))
    fresh = book(roadm, utc(12, 7), utc(12, 12), status="pending")
    stamp(fresh, created_at=now - timedelta(hours=1))
    was_pending = book(roadm, utc(4, 7), utc(4, 12), status="confirmed")
    stamp(was_pending, created_at=utc(1, 9), decided_at=utc(5, 9))
    # This week (from Mon 7 Dec): ROADM confirmed 14 h; OSA under maintenance all of Thu 10 Dec.
    book(roadm, utc(8, 0), utc(8, 14))
    maintenance(osa, utc(10, 0), utc(11, 0))
    for created in (utc(9, 9), utc(1, 9), utc(2, 9)):
        n = Notification.objects.create(event="x", destination="admin", payload={}, status="failed")
        Notification.objects.filter(pk=n.pk).update(created_at=created)
    monday = datetime(2026, 12, 7, tzinfo=UTC)
    cards = {c.key: c for c in dashboard_cards(now=now, week_start=monday)}
    assert (cards["pending"].value, cards["pending"].previous) == (2, 1)
    assert (cards["over_target"].value, cards["over_target"].previous) == (1, 1)  # a week ago it had waited 51 h
    # bookable: ROADM 168 h + OSA 168 − 24 h = 312 h; confirmed 14 h → 4 %; last week 5 h of 336 h → 1 %.
    assert (cards["utilization"].value, cards["utilization"].previous) == (4, 1)
    assert (cards["maintenance"].value, cards["maintenance"].previous) == (1, 0)
    assert (cards["failed_notifications"].value, cards["failed_notifications"].previous) == (1, 2)
    assert cards["pending"].change_text == "+1 on a week ago"
