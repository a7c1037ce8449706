"""Expiry (DESIGN §4.12) and the re-evaluation of neighbours when bookings leave the active set (§4.6).

Decisions written down here:
- A conflicting request whose overlaps go away becomes pending, or confirmed at once when its
  device type needs no approval (the same status a fresh request would get).
"""

from collections import defaultdict
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from core import clock, signals
from inventory.models import Device
from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES, UNDECIDED_STATUSES
from scheduler.models import Booking, BookingGroup
from scheduler.services import locking
from scheduler.services.booking.status import set_status

S = BookingStatus


AUTO_CONFIRMED_NOTE = ("Confirmed automatically: the request no longer overlaps anyone else's booking and "
                       "this device needs no approval.")


def reevaluate(device: Device, windows: list[tuple[datetime, datetime]], actor, cause: str) -> list[Booking]:
    """Conflicting requests around `windows` that no longer overlap another owner's active booking
    become pending (or confirmed when the type needs no approval). The device must be locked."""
    if not windows:
        return []
    query = Q()
    for start, end in windows:
        query |= Q(start__lt=end, end__gt=start)
    candidates = list(Booking.objects.filter(query, device=device, status=S.CONFLICTING).select_related("group"))
    if not candidates:
        return []
    span_start = min(b.start for b in candidates)
    span_end = max(b.end for b in candidates)
    active = list(
        Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES, start__lt=span_end, end__gt=span_start)
        .select_related("group")
    )
    changed = []
    for booking in candidates:
        still = any(
            other.pk != booking.pk
            and other.group.owner_id != booking.group.owner_id
            and rules.overlaps(other.start, other.end, booking.start, booking.end)
            for other in active
        )
        if still:
            continue
        target = S.PENDING
        if not device.device_type.requires_approval:
            confirmed = [(o.start, o.end) for o in active if o.status == S.CONFIRMED and o.pk != booking.pk]
            if rules.depth_with(booking.start, booking.end, confirmed) <= device.effective_capacity:
                target = S.CONFIRMED
        # Changed by the system, not by the actor whose change triggered it.
        note = AUTO_CONFIRMED_NOTE if target == S.CONFIRMED else None
        set_status(booking, target, actor=None, note=note, action="scheduler.booking.reevaluated",
                    data={"cause": cause, "by": getattr(actor, "pk", None)})
        booking.status = target
        changed.append(booking)
    # A confirmation is news its owner must hear, like a manager's decision; going back to pending is not.
    confirmed_by_group: dict[int, list[Booking]] = defaultdict(list)
    for booking in changed:
        if booking.status == S.CONFIRMED:
            confirmed_by_group[booking.group_id].append(booking)
    for bookings in confirmed_by_group.values():
        signals.booking_decided.send(sender=BookingGroup, group=bookings[0].group, bookings=bookings,
                                     decision=S.CONFIRMED, actor=None, note=AUTO_CONFIRMED_NOTE)
    return changed


def reevaluate_freed(bookings: list[Booking], actor, cause: str) -> None:
    """Re-evaluate, device by device, the conflicting neighbours of bookings that just left the active set."""
    by_device = defaultdict(list)
    for booking in bookings:
        by_device[booking.device_id].append(booking)
    for items in by_device.values():
        reevaluate(items[0].device, [(b.start, b.end) for b in items], actor, cause)


def booking_reevaluate_after(*, device: Device, windows: list[tuple[datetime, datetime]], actor, cause: str) -> list[Booking]:
    """Re-evaluate conflicting neighbours of bookings that just left the active set (device locked)."""
    return reevaluate(device, windows, actor, cause)


def booking_expire_due(*, now: datetime | None = None, dry_run: bool = False) -> list[Booking]:
    """Undecided requests whose end has passed become expired (DESIGN §4.12). Never called on a GET."""
    now = now or clock.now()
    due = Booking.objects.filter(status__in=UNDECIDED_STATUSES, end__lte=now)
    if dry_run:
        return list(due.select_related("device", "group"))
    with transaction.atomic():
        locking.devices_lock(due.values_list("device_id", flat=True))
        bookings = list(due.select_related("device__device_type", "group").order_by("device_id", "start"))
        for booking in bookings:
            set_status(booking, S.EXPIRED, actor=None, action="scheduler.booking.expired")
        reevaluate_freed(bookings, None, "expired")
        if bookings:
            signals.booking_expired.send(sender=Booking, bookings=bookings)
    return bookings
