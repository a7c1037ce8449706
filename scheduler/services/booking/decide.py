"""Decisions by lab managers: approve and reject, one booking or a whole session (DESIGN §4.6).

Decisions written down here:
- Group approve is all or nothing; bulk actions in the admin decide booking by booking.
- A request whose end has passed is not approved (single approve: 409); group approve skips such
  requests and leaves them to expiry.
- A request on a retired device is rejected at once (see `booking_device_retired`).
"""

from collections import defaultdict
from datetime import datetime

from django.db import transaction

from core import clock, signals
from core.exceptions import RuleConflict
from core.services.audit import audit_log
from inventory.models import Device
from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus
from scheduler.constants import UNDECIDED_STATUSES
from scheduler.models import Booking, BookingGroup, MaintenanceWindow
from scheduler.services import locking
from scheduler.services.booking.checks import lab_zone
from scheduler.services.booking.expiry import reevaluate, reevaluate_freed
from scheduler.services.booking.permissions import group_locked, locked_booking, require_manager
from scheduler.services.booking.status import set_status

S = BookingStatus


def _approve_check(booking: Booking, *, tz, extra_confirmed: list[tuple[datetime, datetime]] = ()) -> tuple[str, str]:
    """(reason code, message) why `booking` cannot be confirmed now; ("", "") when it can."""
    device = booking.device
    if booking.end <= clock.now():
        # Confirming after the fact would record a use nobody decided in time; expiry takes it.
        return "validation", (
            f"This request for {device.name} {rules.describe_window(booking.start, booking.end, tz)} has ended "
            "without a decision; it will expire."
        )
    if not device.is_bookable:
        return "unavailable", f"{device.name} cannot be booked while its status is {device.get_status_display().lower()}."
    window = MaintenanceWindow.objects.filter(device=device, start__lt=booking.end, end__gt=booking.start).first()
    if window:
        return "maintenance", f"{device.name} is under maintenance {rules.describe_window(window.start, window.end, tz)}."
    confirmed = list(
        Booking.objects.filter(device=device, status=S.CONFIRMED, start__lt=booking.end, end__gt=booking.start)
        .exclude(pk=booking.pk).values_list("start", "end")
    )
    if rules.depth_with(booking.start, booking.end, [*confirmed, *extra_confirmed]) > device.effective_capacity:
        return "capacity", (
            f"{device.name} already has {device.effective_capacity} confirmed booking"
            f"{'' if device.effective_capacity == 1 else 's'} at some point "
            f"{rules.describe_window(booking.start, booking.end, tz)}; reject or cancel one first."
        )
    return "", ""


def _undecided_or_conflict(booking: Booking, verb: str) -> None:
    if booking.status not in UNDECIDED_STATUSES:
        raise RuleConflict(
            f"Only pending or conflicting requests can be {verb}; this booking is {booking.status}.",
            conflicts=[{"item": 0, "device": booking.device_id, "booking": booking.pk, "reason": "status",
                        "message": f"The booking is {booking.status}."}],
        )


def booking_approve(*, booking: Booking, actor, note: str = "") -> Booking:
    """Confirm an undecided request, within the device's capacity of confirmed bookings (DESIGN §4.6)."""
    tz = lab_zone()
    with transaction.atomic():
        booking = locked_booking(booking)
        require_manager(actor, booking.group)
        _undecided_or_conflict(booking, "approved")
        code, problem = _approve_check(booking, tz=tz)
        if code:
            raise RuleConflict(problem, conflicts=[{"item": 0, "device": booking.device_id, "booking": booking.pk,
                                                    "device_name": booking.device.name, "reason": code,
                                                    "message": problem}])
        set_status(booking, S.CONFIRMED, actor=actor, note=note or "", action="scheduler.booking.approved")
        signals.booking_decided.send(sender=BookingGroup, group=booking.group, bookings=[booking], decision=S.CONFIRMED,
                                     actor=actor, note=note or "")
    return booking


def booking_reject(*, booking: Booking, actor, note: str = "") -> Booking:
    """Refuse an undecided request and re-evaluate its neighbours."""
    with transaction.atomic():
        booking = locked_booking(booking)
        require_manager(actor, booking.group)
        _undecided_or_conflict(booking, "rejected")
        set_status(booking, S.REJECTED, actor=actor, note=note or "", action="scheduler.booking.rejected")
        reevaluate(booking.device, [(booking.start, booking.end)], actor, "rejected")
        signals.booking_decided.send(sender=BookingGroup, group=booking.group, bookings=[booking], decision=S.REJECTED,
                                     actor=actor, note=note or "")
    return booking


def booking_group_approve(*, group: BookingGroup, actor, note: str = "") -> list[Booking]:
    """Confirm every undecided request of the session, all or nothing (managers)."""
    tz = lab_zone()
    with transaction.atomic():
        group, bookings = group_locked(group)
        require_manager(actor, group)
        # Requests that have already ended are left to expiry (see _approve_check).
        now = clock.now()
        targets = [b for b in bookings if b.status in UNDECIDED_STATUSES and b.end > now]
        if not targets:
            raise RuleConflict("This session has no pending or conflicting requests to approve.", conflicts=[])
        conflicts, accepted = [], defaultdict(list)
        for index, booking in enumerate(targets):
            code, problem = _approve_check(booking, tz=tz, extra_confirmed=accepted[booking.device_id])
            if code:
                conflicts.append({"item": index, "booking": booking.pk, "device": booking.device_id,
                                  "device_name": booking.device.name, "reason": code, "message": problem})
            else:
                accepted[booking.device_id].append((booking.start, booking.end))
        if conflicts:
            raise RuleConflict(f"The session was not approved: {conflicts[0]['message']}", conflicts=conflicts)
        for booking in targets:
            set_status(booking, S.CONFIRMED, actor=actor, note=note or "", action="scheduler.booking.approved",
                        data={"group": group.pk})
        signals.booking_decided.send(sender=BookingGroup, group=group, bookings=targets, decision=S.CONFIRMED,
                                     actor=actor, note=note or "")
    return targets


def booking_group_reject(*, group: BookingGroup, actor, note: str = "") -> list[Booking]:
    """Refuse every undecided request of the session (managers); neighbours are re-evaluated."""
    with transaction.atomic():
        group, bookings = group_locked(group)
        require_manager(actor, group)
        targets = [b for b in bookings if b.status in UNDECIDED_STATUSES]
        if not targets:
            raise RuleConflict("This session has no pending or conflicting requests to reject.", conflicts=[])
        for booking in targets:
            set_status(booking, S.REJECTED, actor=actor, note=note or "", action="scheduler.booking.rejected",
                        data={"group": group.pk})
        reevaluate_freed(targets, actor, "rejected")
        signals.booking_decided.send(sender=BookingGroup, group=group, bookings=targets, decision=S.REJECTED,
                                     actor=actor, note=note or "")
    return targets


def booking_reject_for_maintenance(*, bookings: list[Booking], window: MaintenanceWindow, actor) -> None:
    """Used by maintenance_window_create, under its lock."""
    tz = lab_zone()
    note = (f"Rejected: the device is under maintenance {rules.describe_window(window.start, window.end, tz)}"
            f"{' (' + window.reason + ')' if window.reason else ''}; please book another slot.")
    for booking in bookings:
        set_status(booking, S.REJECTED, actor=actor, note=note, action="scheduler.booking.rejected",
                    data={"maintenance": window.pk})


def booking_device_retired(*, device: Device, actor) -> list[Booking]:
    """Reject the undecided requests of a device that has just been retired; keep its confirmed bookings.

    Runs inside the transaction that retires the device (inventory's device_status_changed signal,
    connected in SchedulerConfig.ready()). A request on a retired device can never be approved
    (approval refuses a device that is not available), so leaving it would only hold capacity and
    its owner's plans until it expired: it is rejected now with a note, and its owner and
    collaborators get the decision message. Confirmed bookings are agreed work: they stay for a lab
    manager to cancel or move (retiring is sometimes undone), and are listed in the audit event.
    Retiring is not refused because of them: the inventory records what is true of the hardware.
    Other unbookable statuses (maintenance, unavailable, spare, planned) are often temporary and
    leave the requests alone; none of them can be approved while the status lasts.
    """
    with transaction.atomic():
        locking.devices_lock([device.pk])
        now = clock.now()
        undecided = list(
            Booking.objects.filter(device_id=device.pk, status__in=UNDECIDED_STATUSES, end__gt=now)
            .select_related("group", "device__device_type").order_by("start", "id")
        )
        kept = list(Booking.objects.filter(device_id=device.pk, status=S.CONFIRMED, end__gt=now)
                    .order_by("start", "id").values_list("pk", flat=True))
        if not (undecided or kept):
            return []
        note = f"Rejected: {device.name} has been retired; please book another device."
        by_group: dict[int, list[Booking]] = defaultdict(list)
        for booking in undecided:
            set_status(booking, S.REJECTED, actor=actor, note=note, action="scheduler.booking.rejected",
                        data={"device_retired": device.pk})
            by_group[booking.group_id].append(booking)
        audit_log(actor=actor, action="scheduler.device.retired", target=device,
                  data={"rejected": sorted(b.pk for b in undecided), "confirmed_kept": kept})
        for bookings in by_group.values():
            signals.booking_decided.send(sender=BookingGroup, group=bookings[0].group, bookings=bookings,
                                         decision=S.REJECTED, actor=actor, note=note)
    return undecided
