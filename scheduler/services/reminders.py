"""Reminders before a confirmed booking starts and before it ends (run by the worker).

Lead times come from the booking policy (reminder_before_start, reminder_before_end; zero turns that
reminder off). Each booking is reminded at most once per kind: the rows are locked (skipping rows
another worker holds), stamped and announced in one transaction. A booking that merely continues
another confirmed booking of the same session on the same device gets no "starts" reminder, and
one that is continued gets no "ends" reminder, so a multi-day session is not announced every day.
"""

from datetime import datetime

from django.db import transaction

from core import clock
from scheduler.choices import BookingStatus
from scheduler.models import Booking, BookingPolicy
from scheduler.signals import booking_reminder


def _continued(booking: Booking, neighbours: list[Booking], kind: str) -> bool:
    for other in neighbours:
        if other.pk == booking.pk or other.group_id != booking.group_id or other.device_id != booking.device_id:
            continue
        if kind == "start" and other.start < booking.start <= other.end:
            return True
        if kind == "end" and other.start <= booking.end < other.end:
            return True
    return False


def _remind(*, kind: str, now: datetime, lead) -> list[Booking]:
    if not lead:
        return []
    edge = "start" if kind == "start" else "end"
    stamp = f"{kind}_reminder_sent_at"
    with transaction.atomic():
        due = list(
            Booking.objects.select_for_update(skip_locked=True)
            .filter(status=BookingStatus.CONFIRMED, **{f"{stamp}__isnull": True, f"{edge}__gt": now, f"{edge}__lte": now + lead})
            .order_by(edge, "id")
        )
        if not due:
            return []
        Booking.objects.filter(pk__in=[b.pk for b in due]).update(**{stamp: now})
        neighbours = list(
            Booking.objects.filter(group_id__in={b.group_id for b in due}, status=BookingStatus.CONFIRMED)
        )
        announce = [b for b in due if not _continued(b, neighbours, kind)]
        for booking in due:
            setattr(booking, stamp, now)
        if announce:
            booking_reminder.send(sender=Booking, bookings=announce, kind=kind)
    return announce


def booking_reminders_send(*, now: datetime | None = None) -> int:
    """Announce confirmed bookings about to start or end. Returns how many bookings were announced."""
    now = now or clock.now()
    policy = BookingPolicy.load()
    started = _remind(kind="start", now=now, lead=policy.reminder_before_start)
    ending = _remind(kind="end", now=now, lead=policy.reminder_before_end)
    return len(started) + len(ending)
