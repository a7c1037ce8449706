"""Units: every active booking holds one of its device's `capacity` units (DESIGN §4.3, §4.14).

On PostgreSQL the exclusion constraint `scheduler_booking_unit_exclusive` makes two overlapping
active bookings of one device that hold the same unit impossible; with units kept within
1..capacity, the database itself refuses overbooking even if a check above it is wrong. SQLite has
no exclusion constraints: there the device lock and the checks alone guard capacity.

Decisions written down here:
- Units are picked under the device lock, after the checks: a new or stretched booking keeps its
  unit if still free, else takes the lowest unit no overlapping active booking holds. That needs no
  query (the checks already read the overlapping bookings), so the booking POST costs nothing more.
- When no unit is free although the overlap depth allows one (units fragmented by earlier
  changes), the device's bookings in the cluster of overlaps around the window are renumbered by
  start time, each taking the lowest unit free at its start: for intervals this never needs more
  units than the overlap depth. Bookings that have ended are numbered last, so that an overlap
  in the past never pushes a booking still to come beyond the capacity. A renumbering is audited
  (`scheduler.device.units_renumbered`).
- Approving and re-evaluating keep the unit (pending, conflicting and confirmed are all active);
  a booking leaving the active set frees its unit (status.set_status).
- A constraint violation (two writers that skipped the lock) is a 409 naming the device.
- Lowering a device's capacity is refused while more of its bookings still to come overlap than
  the new capacity: the message names the sessions holding the units beyond it.
"""

import re
from collections.abc import Iterable
from contextlib import contextmanager
from datetime import datetime

from django.db import IntegrityError, OperationalError
from django.utils.formats import date_format

from core import clock
from core.exceptions import RuleConflict
from core.services.audit import audit_log
from inventory.models import Device
from scheduler import booking_rules as rules
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking

CONSTRAINT = "scheduler_booking_unit_exclusive"
PARKING = 16384  # units from here on are never handed out: a renumbering parks rows on them for a moment
_DEVICE_IN_DETAIL = re.compile(r"\)=\((\d+),")


def _lowest_free(booking: Booking, others: Iterable[Booking], capacity: int) -> int | None:
    used = {o.unit for o in others if o.unit and rules.overlaps(o.start, o.end, booking.start, booking.end)}
    if booking.unit and booking.unit <= capacity and booking.unit not in used:
        return booking.unit
    return next((u for u in range(1, capacity + 1) if u not in used), None)


def _greedy(rows: list[Booking], now: datetime) -> dict[int, int]:
    """Units by start time (ended bookings last; at equal starts, stored rows before new ones);
    returns {id(row): unit}."""
    placed: list[Booking] = []
    units: dict[int, int] = {}
    for row in sorted(rows, key=lambda b: (b.end <= now, b.start, b.pk is None, b.pk or 0)):
        used = {units[id(o)] for o in placed if rules.overlaps(o.start, o.end, row.start, row.end)}
        units[id(row)] = next(u for u in range(1, len(placed) + 2) if u not in used)
        placed.append(row)
    return units


def _cluster(device_id: int, start: datetime, end: datetime, skip: set[int]) -> list[Booking]:
    """The device's active bookings (ids in `skip` left out) whose overlaps chain to [start, end):
    no active booking outside the result overlaps one inside it."""
    while True:
        rows = list(Booking.objects.filter(device_id=device_id, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start)
                    .exclude(pk__in=skip).only("id", "device_id", "start", "end", "unit", "status"))
        lo = min([start, *(r.start for r in rows)])
        hi = max([end, *(r.end for r in rows)])
        if (lo, hi) == (start, end):
            return rows
        start, end = lo, hi


def _renumber(device: Device, moving: list[Booking], *, actor, now: datetime) -> dict[int, int] | None:
    """Renumber the cluster around `moving` (new rows, or rows whose window changed in memory);
    write the stored rows whose unit changes and set `moving`'s units in memory. {pk: unit} of the
    stored rows that changed; None (nothing written) when a booking still to come would need a
    unit beyond the capacity."""
    skip = {b.pk for b in moving if b.pk}
    stored = _cluster(device.pk, min(b.start for b in moving), max(b.end for b in moving), skip)
    units = _greedy([*stored, *moving], now)
    capacity = device.effective_capacity
    if any(units[id(row)] > capacity for row in [*stored, *moving] if row.end > now):
        return None
    moved = {b.pk: units[id(b)] for b in moving if b.pk and b.unit != units[id(b)]}
    for booking in moving:
        booking.unit = units[id(booking)]
    changed = [row for row in stored if row.unit != units[id(row)]]
    parked = [*changed, *(b for b in moving if b.pk)]
    if parked:
        # The exclusion constraint is checked row by row, and an active booking always holds a
        # unit: park the rows that change on distinct units no booking uses, then set the new ones.
        Booking.objects.bulk_update([Booking(pk=row.pk, unit=PARKING + n) for n, row in enumerate(parked)], ["unit"])
    for row in changed:
        row.unit = units[id(row)]
    Booking.objects.bulk_update(changed, ["unit"])
    renumbered = {row.pk: row.unit for row in changed}
    if renumbered or moved:
        audit_log(actor=actor, action="scheduler.device.units_renumbered", target=device,
                  data={"units": {str(pk): unit for pk, unit in sorted({**renumbered, **moved}.items())}})
    return renumbered


class UnitPlanner:
    """Hands out units to the bookings one change creates or stretches, under the device lock.

    Built from the active bookings the checks already read (`World.bookings`), so the usual case
    costs no query.
    """

    def __init__(self, held: dict[int, list[Booking]], *, actor, now: datetime | None = None):
        self.held = {device_id: list(rows) for device_id, rows in held.items()}
        self.actor = actor
        self.now = now or clock.now()

    def place(self, booking: Booking, device: Device, *, item: int = 0) -> None:
        """Give `booking` (new, or stored with a new window in memory) a unit within the capacity."""
        rows = [r for r in self.held.get(device.pk, ()) if r is not booking and not (booking.pk and r.pk == booking.pk)]
        capacity = device.effective_capacity
        unit = _lowest_free(booking, rows, capacity)
        if unit is None:
            # This change's rows not yet written (earlier items of a request) are renumbered with it.
            unsaved = [r for r in rows if r.pk is None]
            renumbered = _renumber(device, [*unsaved, booking], actor=self.actor, now=self.now)
            if renumbered is None:
                raise _full(device, booking, item)
            for row in rows:
                row.unit = renumbered.get(row.pk, row.unit)
        else:
            booking.unit = unit
        self.held[device.pk] = [*rows, booking]


def _full(device: Device, booking: Booking, item: int) -> RuleConflict:
    message = (f"{device.name} is fully booked (at most {device.effective_capacity} at a time) at some point "
               f"{rules.describe_window(booking.start, booking.end, _zone())}; pick another slot or device.")
    return RuleConflict(message, conflicts=[{"item": item, "device": device.pk, "device_name": device.name,
                                             "reason": "capacity", "message": message}])


def _zone():
    from scheduler.services.booking.checks import lab_zone

    return lab_zone()


# PostgreSQL's "deadlock detected": two transactions that each inserted a booking the other's
# exclusion check must wait for. It can happen only when the device lock was bypassed; PostgreSQL
# has already rolled one of them back, so it is the same refusal as the constraint's.
DEADLOCK_DETECTED = "40P01"


@contextmanager
def units_guarded(devices: Iterable[Device]):
    """Turn the database's refusal of two bookings holding one unit into a 409 naming the device."""
    try:
        yield
    except (IntegrityError, OperationalError) as exc:
        deadlock = getattr(exc.__cause__, "sqlstate", None) == DEADLOCK_DETECTED
        if not deadlock and (isinstance(exc, OperationalError) or CONSTRAINT not in str(exc)):
            raise
        by_id = {d.pk: d for d in devices}
        diag = getattr(exc.__cause__, "diag", None)
        found = _DEVICE_IN_DETAIL.search(getattr(diag, "message_detail", None) or "")
        device = by_id.get(int(found.group(1))) if found else None
        device = device or next(iter(by_id.values()), None)
        name = device.name if device else "The device"
        message = f"{name} was fully booked by a request made at the same moment; pick another slot or device."
        raise RuleConflict(message, conflicts=[{"item": 0, "device": device.pk if device else None,
                                                "device_name": name, "reason": "capacity", "message": message}]) from exc


# --- capacity changes (inventory's device_capacity_check / device_capacity_lowered signals) -------


def units_beyond(device: Device, capacity: int, *, now: datetime | None = None) -> list[Booking]:
    """The bookings still to come that would hold a unit beyond `capacity` (empty: it fits).

    Numbered by start time, the bookings that have not ended need exactly their overlap depth in
    units; those beyond `capacity` are the ones to cancel or move before the capacity can go down.
    """
    now = now or clock.now()
    rows = list(Booking.objects.filter(device_id=device.pk, status__in=ACTIVE_STATUSES, end__gt=now)
                .select_related("group__owner").order_by("start", "id"))
    units = _greedy(rows, now)
    return [row for row in rows if units[id(row)] > capacity]


def capacity_refusal(device: Device, capacity: int, *, now: datetime | None = None) -> str:
    """Why `device` cannot go down to `capacity` now; empty when it can."""
    beyond = units_beyond(device, capacity, now=now)
    if not beyond:
        return ""
    tz = _zone()
    sessions = "; ".join(
        f"session {b.group_id} of {b.group.owner.username} "
        f"({date_format(b.start.astimezone(tz), 'j M H:i')} to {date_format(b.end.astimezone(tz), 'j M H:i')})"
        for b in beyond[:10]
    )
    more = f" and {len(beyond) - 10} more" if len(beyond) > 10 else ""
    return (f"{device.name} cannot go down to a capacity of {capacity}: more bookings overlap than that. "
            f"These hold the units beyond it: {sessions}{more}. Cancel or move them first.")


def units_fit_capacity(device: Device, *, actor, now: datetime | None = None) -> None:
    """After the capacity of a locked device went down: renumber so that every booking still to come
    holds a unit within it (units_beyond must be empty)."""
    now = now or clock.now()
    capacity = device.effective_capacity
    if not Booking.objects.filter(device_id=device.pk, status__in=ACTIVE_STATUSES, end__gt=now,
                                  unit__gt=capacity).exists():
        return
    coming = list(Booking.objects.filter(device_id=device.pk, status__in=ACTIVE_STATUSES, end__gt=now)
                  .only("id", "device_id", "start", "end", "unit", "status"))
    if _renumber(device, coming, actor=actor, now=now) is None:
        raise RuntimeError(f"{device.name}: its bookings still to come do not fit its capacity")  # units_beyond said they do
    Booking.objects.bulk_update(coming, ["unit"])


def units_capacity_lowered(*, changes: list[tuple[Device, int]], actor) -> None:
    """Inside the write that lowered these devices' capacity: lock them, refuse (ValidationError
    naming the sessions) while more bookings still to come overlap than the new capacity, else
    renumber so that every booking still to come holds a unit within it."""
    from django.core.exceptions import ValidationError

    from scheduler.services import locking

    locked = locking.devices_lock([device.pk for device, _ in changes])
    problems = [message for device in locked.values() if (message := capacity_refusal(device, device.effective_capacity))]
    if problems:
        raise ValidationError(problems)
    for device in locked.values():
        units_fit_capacity(device, actor=actor)
