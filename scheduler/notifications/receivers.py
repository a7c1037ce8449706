"""Turn the scheduler's signals into finished messages in core's outbox (connected in SchedulerConfig.ready()).

Receivers run inside the sender's transaction and only write rows: no network I/O here.
"""

from django.dispatch import receiver

from core.services.notifications import notification_record
from scheduler import signals
from scheduler.notifications import ADMIN_CHANNEL as ADMIN
from scheduler.notifications import BOOKING_CHANNEL as BOOKING
from scheduler.notifications import messages as booking_messages


@receiver(signals.booking_requested, dispatch_uid="scheduler.notify.booking_requested")
def booking_requested(sender, *, group, bookings, **kwargs):
    notification_record(
        event="booking_requested", destination=BOOKING,
        build=lambda: booking_messages.requested(group=group, bookings=bookings),
    )


@receiver(signals.booking_rebooked, dispatch_uid="scheduler.notify.booking_rebooked")
def booking_rebooked(sender, *, group, bookings, **kwargs):
    notification_record(
        event="booking_rebooked", destination=BOOKING,
        build=lambda: booking_messages.rebooked(group=group, bookings=bookings),
    )


@receiver(signals.booking_extended, dispatch_uid="scheduler.notify.booking_extended")
def booking_extended(sender, *, group, bookings, actor=None, **kwargs):
    notification_record(
        event="booking_extended", destination=BOOKING,
        build=lambda: booking_messages.extended(group=group, bookings=bookings, actor=actor) if bookings else None,
    )


@receiver(signals.booking_decided, dispatch_uid="scheduler.notify.booking_decided")
def booking_decided(sender, *, group, bookings, decision, actor=None, note="", **kwargs):
    notification_record(
        event="booking_decided", destination=ADMIN,
        build=lambda: booking_messages.decided(
            group=group, bookings=bookings, decision=decision, actor=actor, note=note
        ) if bookings else None,
    )


@receiver(signals.booking_cancelled, dispatch_uid="scheduler.notify.booking_cancelled")
def booking_cancelled(sender, *, group, bookings, actor=None, **kwargs):
    notification_record(
        event="booking_cancelled", destination=ADMIN,
        build=lambda: booking_messages.cancelled(group=group, bookings=bookings, actor=actor) if bookings else None,
    )


@receiver(signals.maintenance_scheduled, dispatch_uid="scheduler.notify.maintenance_scheduled")
def maintenance_scheduled(sender, *, window, rejected=(), cancelled=(), **kwargs):
    notification_record(
        event="maintenance_scheduled", destination=ADMIN,
        build=lambda: booking_messages.maintenance(window=window, rejected=list(rejected), cancelled=list(cancelled)),
    )


@receiver(signals.booking_expired, dispatch_uid="scheduler.notify.booking_expired")
def booking_expired(sender, *, bookings, **kwargs):
    notification_record(
        event="booking_expired", destination=ADMIN,
        build=lambda: booking_messages.expired(bookings=bookings),
    )


@receiver(signals.booking_reminder, dispatch_uid="scheduler.notify.booking_reminder")
def booking_reminder(sender, *, bookings, kind, **kwargs):
    notification_record(
        event=f"booking_reminder_{kind}", destination=ADMIN,
        build=lambda: booking_messages.reminders(bookings=bookings, kind=kind),
    )
