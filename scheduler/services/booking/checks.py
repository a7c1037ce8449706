"""Checks one requested window against the rules (DESIGN §4.1-§4.5, §4.8), under the device lock.

Every behaviour that creates or stretches a booking builds a `Verdict` per item and runs
`check_item` on it against a `World` read after the lock; an item with a `code` is refused.

Decisions written down here (DESIGN §4 leaves them open):
- "Own" bookings are the bookings of the sessions a user owns. Collaborators do not hold a
  session's bookings: the own-overlap rule and the per-user limit look at owners only, and a
  booking of another owner counts as "another user's" even for its collaborators.
- The per-user limit counts active bookings that have not ended yet (confirmed bookings stay
  confirmed after they end and would otherwise block their owner forever).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model

from core.exceptions import ApplicationError, RuleConflict
from inventory.models import Device
from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingPolicy, MaintenanceWindow
from scheduler.services import locking
from scheduler.services.booking import window_reads

MAX_ITEMS = 200
S = BookingStatus


def lab_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def policy_limits(policy: BookingPolicy) -> rules.Limits:
    return rules.Limits(
        slot_minutes=policy.slot_minutes,
        max_duration=policy.max_duration,
        horizon=policy.horizon,
        past_grace=policy.past_grace,
    )


@dataclass
class ItemCheck:
    """The verdict on one requested item, for the cart page (no writes)."""

    item: int
    device: Device | None
    start: datetime
    end: datetime
    outcome: str  # "free" | "conflicting" | "refused"
    reason: str = ""  # readable text; the refusal or the sharing it would mean
    code: str = ""  # validation | capacity | maintenance | unavailable | own_overlap | limit


@dataclass
class Verdict:
    item: int
    device: Device | None
    device_id: int
    start: datetime
    end: datetime
    code: str = ""
    message: str = ""
    others: list[Booking] = field(default_factory=list)  # other owners' overlapping active bookings
    booking: int | None = None  # the booking an extension starts from

    def conflict(self) -> dict:
        entry = {
            "item": self.item,
            "device": self.device_id,
            "device_name": self.device.name if self.device else "",
            "reason": self.code,
            "message": self.message,
        }
        if self.booking is not None:
            entry["booking"] = self.booking
        return entry


# What the checks, the new rows, their audit events, notifications and API answers read of a device:
# loading only these columns makes the locked read cheaper on every request.
CHECKED_DEVICE_FIELDS = (
    "id", "name", "status", "capacity",
    "device_type__name", "device_type__is_schedulable", "device_type__default_capacity",
    "device_type__requires_approval",
)


class World:
    """What the checks read, under the lock: devices, active bookings and maintenance windows."""

    def __init__(self, *, devices: dict[int, Device], start: datetime, end: datetime):
        self.devices = devices
        ids = list(devices)
        self.bookings: dict[int, list[Booking]] = defaultdict(list)
        self.windows: dict[int, list[MaintenanceWindow]] = defaultdict(list)
        # Both lists in (start, id) order, sorted here rather than by the database (a few rows).
        for booking in sorted(window_reads.active_bookings(ids, start, end), key=_in_time_order):
            booking.device = devices[booking.device_id]  # the row already read (and locked): no query later
            self.bookings[booking.device_id].append(booking)
        for window in sorted(window_reads.maintenance_windows(ids, start, end), key=_in_time_order):
            self.windows[window.device_id].append(window)


def _in_time_order(row) -> tuple:
    return row.start, row.pk


def world_load(device_ids, windows: list[tuple[datetime, datetime]], *, lock: bool = True) -> World:
    if lock:
        devices = locking.devices_lock(device_ids, fields=CHECKED_DEVICE_FIELDS)
    else:
        devices = {d.pk: d for d in Device.objects.select_related("device_type").filter(pk__in=set(device_ids))}
    start = min(s for s, _ in windows)
    end = max(e for _, e in windows)
    return World(devices=devices, start=start, end=end)


def normalise(value: datetime, tz: ZoneInfo, label: str) -> datetime:
    """The instant an input names, in UTC; naive input is the lab's wall clock. Every service calls
    this on the times it is given before comparing anything."""
    if not isinstance(value, datetime):
        raise ApplicationError(f"The {label} must be a date and time.")
    try:
        value = rules.to_utc(value, tz)  # instants from here on (see booking_rules.to_utc)
    except ValueError as exc:
        raise ApplicationError(str(exc)) from exc
    except OverflowError as exc:
        raise ApplicationError(f"The {label} must lie between the years 1 and 9999.") from exc
    return value


def check_item(verdict: Verdict, *, owner, world: World, now: datetime, limits: rules.Limits, tz: ZoneInfo,
                new_items: list[Verdict], exclude: frozenset[int] = frozenset(), check_past: bool = True,
                whole_window: tuple[datetime, datetime] | None = None) -> Verdict:
    """Fill in `verdict.code`/`message` (empty when the item may be booked) and its soft conflicts."""
    device, start, end = verdict.device, verdict.start, verdict.end
    name = device.name if device else f"Device {verdict.device_id}"

    def refuse(code, message):
        verdict.code, verdict.message = code, message
        return verdict

    problems = rules.window_problems(start, end, now=now, limits=limits, tz=tz, check_past=check_past)
    if whole_window and whole_window[1] - whole_window[0] > limits.max_duration:
        problems.append(
            f"A booking may last at most {rules.describe_duration(limits.max_duration)} in one stretch; "
            "this extension would make it longer."
        )
    if problems:
        return refuse("validation", f"{name}: " + " ".join(problems))
    if device is None:
        return refuse("unavailable", f"Device {verdict.device_id} does not exist; pick another device.")
    if not device.device_type.is_schedulable:
        return refuse("unavailable", f"{name} is a {device.device_type.name}, which cannot be booked; pick another device.")
    if not device.is_bookable:
        return refuse("unavailable", f"{name} cannot be booked while its status is {device.get_status_display().lower()}; pick another device.")
    for window in world.windows.get(device.pk, ()):
        if rules.overlaps(window.start, window.end, start, end):
            return refuse(
                "maintenance",
                f"{name} is under maintenance {rules.describe_window(window.start, window.end, tz)}; pick another slot or device.",
            )
    existing = [b for b in world.bookings.get(device.pk, ()) if b.pk not in exclude]
    fresh = [v for v in new_items if v.device_id == device.pk and v is not verdict and not v.code]
    for booking in existing:
        if booking.group.owner_id == owner.pk and rules.overlaps(booking.start, booking.end, start, end):
            return refuse(
                "own_overlap",
                f"You already hold {name} {rules.describe_window(booking.start, booking.end, tz)}; "
                "change the times or extend that booking instead.",
            )
    for other in fresh:
        if rules.overlaps(other.start, other.end, start, end):
            return refuse(
                "own_overlap",
                f"{name} appears twice in this request at overlapping times "
                f"({rules.describe_window(start, end, tz)}); keep one of them.",
            )
    windows = [(b.start, b.end) for b in existing] + [(v.start, v.end) for v in fresh]
    capacity = device.effective_capacity
    if rules.depth_with(start, end, windows) > capacity:
        return refuse(
            "capacity",
            f"{name} is fully booked (at most {capacity} at a time) at some point "
            f"{rules.describe_window(start, end, tz)}; pick another slot or device.",
        )
    verdict.others = [
        b for b in existing if b.group.owner_id != owner.pk and rules.overlaps(b.start, b.end, start, end)
    ]
    return verdict


def limit_check(verdicts: list[Verdict], *, owner, policy: BookingPolicy, now: datetime, lock: bool = True) -> None:
    """Mark the items beyond the owner's allowance of active bookings (policy.max_active_bookings_per_user)."""
    limit = policy.max_active_bookings_per_user
    if limit is None:
        return
    if lock and locking.LOCKING_ENABLED:
        # Serialise the owner's concurrent requests on other devices too.
        list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))
    held = Booking.objects.filter(group__owner=owner, status__in=ACTIVE_STATUSES, end__gt=now).count()
    allowed = max(limit - held, 0)
    for verdict in [v for v in verdicts if not v.code][allowed:]:
        verdict.code = "limit"
        verdict.message = (
            f"You already hold {held} active booking{'' if held == 1 else 's'} and the lab allows {limit} at a time; "
            "cancel one or wait until one ends."
        )


def evaluate(*, owner, raw_items, now, policy, tz, lock: bool) -> tuple[list[Verdict], World]:
    if not raw_items:
        raise ApplicationError("Add at least one device and time window to the request.")
    if len(raw_items) > MAX_ITEMS:
        raise ApplicationError(f"A request may hold at most {MAX_ITEMS} bookings; split it into several sessions.")
    parsed = []
    for index, item in enumerate(raw_items):
        device = item.get("device")
        device_id = device.pk if isinstance(device, Device) else device
        if not isinstance(device_id, int):
            raise ApplicationError(f"Item {index}: name a device.")
        parsed.append((index, device_id, normalise(item.get("start"), tz, "start"), normalise(item.get("end"), tz, "end")))
    world = world_load([p[1] for p in parsed], [(p[2], p[3]) for p in parsed], lock=lock)
    limits = policy_limits(policy)
    verdicts: list[Verdict] = []
    for index, device_id, start, end in parsed:
        verdict = Verdict(item=index, device=world.devices.get(device_id), device_id=device_id, start=start, end=end)
        check_item(verdict, owner=owner, world=world, now=now, limits=limits, tz=tz, new_items=verdicts)
        verdicts.append(verdict)
    limit_check(verdicts, owner=owner, policy=policy, now=now, lock=lock)
    return verdicts, world


def raise_if_refused(verdicts: list[Verdict], what: str = "request") -> None:
    refused = [v for v in verdicts if v.code]
    if refused:
        first = refused[0].message
        more = f" ({len(refused) - 1} more item{'s' if len(refused) > 2 else ''} refused.)" if len(refused) > 1 else ""
        raise RuleConflict(f"The {what} was not saved: {first}{more}", conflicts=[v.conflict() for v in refused])


def fresh_status(device: Device, others: list) -> str:
    if others:
        return S.CONFLICTING
    return S.PENDING if device.device_type.requires_approval else S.CONFIRMED
