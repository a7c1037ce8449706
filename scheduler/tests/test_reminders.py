"""Reminders before confirmed bookings start and end."""

from datetime import UTC, datetime, timedelta

import pytest

from core import clock
from core.models import Notification
from inventory.tests.factories import DeviceFactory
from scheduler import signals
from scheduler.models import Booking, BookingPolicy
from scheduler.services.reminders import booking_reminders_send
from scheduler.tests.factories import BookingFactory, BookingGroupFactory

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.fixture
def sent(db):
    """The reminder signals sent, as (kind, [booking ids])."""
    calls = []

    def listen(sender, *, bookings, kind, **kwargs):
        calls.append((kind, sorted(b.pk for b in bookings)))

    signals.booking_reminder.connect(listen, dispatch_uid="test-reminders")
    yield calls
    signals.booking_reminder.disconnect(dispatch_uid="test-reminders")


def test_start_reminder_once_within_the_lead(sent):
    """A confirmed booking starting within the policy's lead is announced once and stamped."""
    soon = BookingFactory(status="confirmed", start=T0 + 50 * timedelta(minutes=1), end=T0 + 5 * H)
    BookingFactory(status="confirmed", start=T0 + 2 * H, end=T0 + 5 * H)  # not yet
    BookingFactory(status="pending", start=T0 + H / 2, end=T0 + 5 * H)  # not confirmed
    BookingFactory(status="confirmed", start=T0 - H / 2, end=T0 + 5 * H)  # already started
    assert booking_reminders_send(now=T0) == 1
    assert sent == [("start", [soon.pk])]
    soon.refresh_from_db()
    assert soon.start_reminder_sent_at == T0 and soon.end_reminder_sent_at is None
    assert booking_reminders_send(now=T0 + timedelta(minutes=5)) == 0
    assert len(sent) == 1


def test_end_reminder_within_the_lead(sent):
    ending = BookingFactory(status="confirmed", start=T0 - 3 * H, end=T0 + H)
    BookingFactory(status="confirmed", start=T0 - 3 * H, end=T0 + 2 * H)
    with clock.frozen(T0):
        assert booking_reminders_send() == 1
    assert sent == [("end", [ending.pk])]
    assert Booking.objects.get(pk=ending.pk).end_reminder_sent_at == T0


def test_policy_lead_times_are_used_and_zero_turns_reminders_off(sent):
    policy = BookingPolicy.load()
    policy.reminder_before_start = timedelta(hours=3)
    policy.reminder_before_end = timedelta(0)
    policy.save()
    starting = BookingFactory(status="confirmed", start=T0 + 2 * H, end=T0 + 3 * H)
    assert booking_reminders_send(now=T0) == 1
    assert sent == [("start", [starting.pk])]


def test_a_session_that_continues_is_not_reminded_at_each_seam(sent):
    """Back-to-back bookings of one session on one device: one "starts" and one "ends" reminder only."""
    group = BookingGroupFactory()
    device = DeviceFactory()
    first = BookingFactory(group=group, device=device, status="confirmed", start=T0 + H / 2, end=T0 + 24 * H)
    second = BookingFactory(group=group, device=device, status="confirmed", start=T0 + 24 * H, end=T0 + 48 * H)
    assert booking_reminders_send(now=T0) == 1
    assert booking_reminders_send(now=T0 + 23.5 * H) == 0  # first ends / second starts: a seam
    assert booking_reminders_send(now=T0 + 47.5 * H) == 1
    assert sent == [("start", [first.pk]), ("end", [second.pk])]
    assert Booking.objects.filter(start_reminder_sent_at__isnull=True).count() == 0


def test_reminders_reach_the_outbox_mentioning_the_session(db, settings):
    """Through core's receivers, one admin-channel message per session."""
    settings.DISCORD_ADMIN_WEBHOOK_URL = "http://127.0.0.1:9/admin"
    group = BookingGroupFactory(owner__discord_id="333333333333333333")
    BookingFactory(group=group, status="confirmed", start=T0 + H / 2, end=T0 + 4 * H)
    BookingFactory(group=group, status="confirmed", start=T0 + H / 2, end=T0 + 4 * H)
    booking_reminders_send(now=T0)
    row = Notification.objects.get()
    assert (row.event, row.destination, row.status) == ("booking_reminder_start", "admin", "pending")
    assert row.payload["content"].startswith("<@333333333333333333>".join([":alarm_clock: ", ", your booking starts at"]))
    assert row.payload["allowed_mentions"]["users"] == ["333333333333333333"]
