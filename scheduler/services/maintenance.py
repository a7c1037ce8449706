"""Maintenance windows: creating one clears the device's requests in that window (DESIGN §4.13)."""

from datetime import datetime

from django.db import transaction

from core import clock
from core.exceptions import ApplicationError, NotAllowed, RuleConflict
from core.roles import is_lab_manager
from core.services.audit import audit_log
from inventory.models import Device
from scheduler import booking_rules as rules
from scheduler import signals
from scheduler.choices import BookingStatus
from scheduler.constants import UNDECIDED_STATUSES
from scheduler.models import Booking, MaintenanceWindow
from scheduler.services import booking as booking_services
from scheduler.services import locking

MAX_MAINTENANCE = 366 * 24 * 3600  # one year, in seconds


def maintenance_window_create(*, actor, device: Device, start: datetime, end: datetime, reason: str = "",
                              cancel_confirmed: bool = False) -> MaintenanceWindow:
    """Schedule maintenance (managers). Overlapping undecided requests are rejected with a note;
    overlapping confirmed bookings refuse the window (409, listing them) unless `cancel_confirmed`,
    in which case they are cancelled. Both kinds of affected users are notified via the signal."""
    if not is_lab_manager(actor):
        raise NotAllowed("Only lab managers schedule maintenance.")
    tz = booking_services.lab_zone()
    try:
        start = rules.to_utc(start, tz)
        end = rules.to_utc(end, tz)
    except ValueError as exc:
        raise ApplicationError(str(exc)) from exc
    if end <= start:
        raise ApplicationError("The end must be after the start.", extra={"end": ["The end must be after the start."]})
    if (end - start).total_seconds() > MAX_MAINTENANCE:
        raise ApplicationError("A maintenance window may last at most a year; set the device's status instead.")
    reason = (reason or "").strip()[:200]
    with transaction.atomic():
        locked = locking.devices_lock([device.pk])
        if device.pk not in locked:
            raise ApplicationError("This device does not exist.")
        device = locked[device.pk]
        # Only the part of the window still to come can hit a booking: a window recorded after the
        # fact touches nothing, and one already under way leaves what happened before now alone.
        future_start = max(start, clock.now())
        hit = [] if future_start >= end else list(
            Booking.objects.filter(device=device, start__lt=end, end__gt=future_start)
            .filter(status__in=(*UNDECIDED_STATUSES, BookingStatus.CONFIRMED))
            .select_related("group__owner", "device__device_type")
        )
        confirmed = [b for b in hit if b.status == BookingStatus.CONFIRMED]
        undecided = [b for b in hit if b.status in UNDECIDED_STATUSES]
        if confirmed and not cancel_confirmed:
            raise RuleConflict(
                f"{device.name} has {len(confirmed)} confirmed booking{'' if len(confirmed) == 1 else 's'} in this "
                "window; move the window, or ask to cancel them (cancel_confirmed).",
                conflicts=[
                    {
                        "item": index,
                        "device": device.pk,
                        "device_name": device.name,
                        "booking": b.pk,
                        "owner": b.group.owner.username,
                        "start": b.start.isoformat(),
                        "end": b.end.isoformat(),
                        "reason": "confirmed_booking",
                        "message": f"{b.group.owner.username} holds {device.name} {rules.describe_window(b.start, b.end, tz)}.",
                    }
                    for index, b in enumerate(confirmed)
                ],
            )
        window = MaintenanceWindow.objects.create(device=device, start=start, end=end, reason=reason, created_by=actor)
        booking_services.booking_reject_for_maintenance(bookings=undecided, window=window, actor=actor)
        cancelled = confirmed if cancel_confirmed else []
        booking_services.booking_cancel_for_maintenance(bookings=cancelled, window=window, actor=actor)
        booking_services.booking_reevaluate_after(
            device=device, windows=[(b.start, b.end) for b in [*undecided, *cancelled]], actor=actor, cause="maintenance"
        )
        audit_log(actor=actor, action="scheduler.maintenance.created", target=window,
                  data={"device": device.pk, "start": start.isoformat(), "end": end.isoformat(),
                        "rejected": [b.pk for b in undecided], "cancelled": [b.pk for b in cancelled]})
        signals.maintenance_scheduled.send(sender=MaintenanceWindow, window=window, rejected=undecided,
                                           cancelled=cancelled, actor=actor)
    return window


def maintenance_window_delete(*, window: MaintenanceWindow, actor) -> None:
    """Remove a window (managers). Requests it rejected stay rejected; members book again."""
    if not is_lab_manager(actor):
        raise NotAllowed("Only lab managers remove maintenance windows.")
    with transaction.atomic():
        locking.devices_lock([window.device_id])
        audit_log(actor=actor, action="scheduler.maintenance.deleted", target=window,
                  data={"device": window.device_id, "start": window.start.isoformat(), "end": window.end.isoformat()})
        window.delete()
