"""Port reservations follow their booking: released in the same transaction as the booking ends.

Connected in SchedulerConfig.ready() to every signal the booking services send when bookings
leave the active statuses (cancelled, decided as rejected, expired, refused for maintenance,
rejected when a device retires). The receiver looks at the bookings' statuses, not at the signal's
kind, so an approval (still active) changes nothing.
"""

from scheduler.constants import ACTIVE_STATUSES


def port_reservations_release(sender, *, bookings=(), rejected=(), cancelled=(), **kwargs) -> int:
    """Mark inactive the reservations of the given bookings that are no longer active."""
    from scheduler.topology.models import PortReservation

    ids = [b.pk for b in (*bookings, *rejected, *cancelled) if b.status not in ACTIVE_STATUSES]
    if not ids:
        return 0
    return PortReservation.objects.filter(booking_id__in=ids, active=True).update(active=False)
