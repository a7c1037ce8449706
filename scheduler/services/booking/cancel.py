"""Cancelling: the owner (or a manager) withdraws a booking or a whole session (DESIGN §4.9)."""

from django.db import transaction

from core import clock, signals
from core.exceptions import RuleConflict
from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup, MaintenanceWindow
from scheduler.services.booking.checks import lab_zone
from scheduler.services.booking.expiry import reevaluate, reevaluate_freed
from scheduler.services.booking.permissions import group_locked, locked_booking, require_owner_or_manager
from scheduler.services.booking.status import set_status

S = BookingStatus


def booking_cancel(*, booking: Booking, actor) -> Booking:
    """The owner (or a manager) withdraws an active booking that has not ended; neighbours are re-evaluated."""
    with transaction.atomic():
        booking = locked_booking(booking)
        require_owner_or_manager(actor, booking.group, "cancel")
        if booking.status not in ACTIVE_STATUSES:
            raise RuleConflict(f"This booking is already {booking.status}.",
                               conflicts=[{"item": 0, "device": booking.device_id, "booking": booking.pk,
                                           "reason": "status", "message": f"The booking is {booking.status}."}])
        if booking.end <= clock.now():
            raise RuleConflict("This booking has already ended; there is nothing to cancel.",
                               conflicts=[{"item": 0, "device": booking.device_id, "booking": booking.pk,
                                           "reason": "validation", "message": "The booking has ended."}])
        set_status(booking, S.CANCELLED, actor=actor, action="scheduler.booking.cancelled")
        reevaluate(booking.device, [(booking.start, booking.end)], actor, "cancelled")
        signals.booking_cancelled.send(sender=BookingGroup, group=booking.group, bookings=[booking], actor=actor)
    return booking


def booking_group_cancel(*, group: BookingGroup, actor) -> list[Booking]:
    """Cancel every active booking of the session that has not ended (owner or manager)."""
    with transaction.atomic():
        group, bookings = group_locked(group)
        require_owner_or_manager(actor, group, "cancel")
        now = clock.now()
        targets = [b for b in bookings if b.status in ACTIVE_STATUSES and b.end > now]
        if not targets:
            raise RuleConflict("Nothing left to cancel in this session.", conflicts=[])
        for booking in targets:
            set_status(booking, S.CANCELLED, actor=actor, action="scheduler.booking.cancelled", data={"group": group.pk})
        reevaluate_freed(targets, actor, "cancelled")
        signals.booking_cancelled.send(sender=BookingGroup, group=group, bookings=targets, actor=actor)
    return targets


def booking_cancel_for_maintenance(*, bookings: list[Booking], window: MaintenanceWindow, actor) -> None:
    tz = lab_zone()
    note = f"Cancelled: the device is under maintenance {rules.describe_window(window.start, window.end, tz)}."
    for booking in bookings:
        set_status(booking, S.CANCELLED, actor=actor, note=note, action="scheduler.booking.cancelled",
                    data={"maintenance": window.pk})
