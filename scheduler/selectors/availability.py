"""When devices are busy, free and bookable: interval maths over active bookings and maintenance.

The pure functions at the top (no database) do the maths on half-open intervals [start, end):
back-to-back intervals do not overlap, and capacity is compared with the overlap *depth* at each
instant, never with the number of bookings that touch a window.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo

from django.db.models import Q
from django.utils import timezone

from core import clock
from inventory.models import Device
from scheduler.booking_rules import on_grid
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingPolicy, MaintenanceWindow

Span = tuple[datetime, datetime]


# --- pure interval maths -------------------------------------------------------------------------


def intervals_merge(spans: Iterable[Span]) -> list[Span]:
    """Sorted union of half-open spans; touching spans (a.end == b.start) are joined."""
    merged: list[list[datetime]] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def intervals_subtract(spans: Sequence[Span], holes: Sequence[Span]) -> list[Span]:
    """Parts of the (sorted, disjoint) `spans` not covered by the (sorted, disjoint) `holes`."""
    result: list[Span] = []
    h = 0
    for start, end in spans:
        cursor = start
        while h < len(holes) and holes[h][1] <= cursor:
            h += 1
        k = h
        while k < len(holes) and holes[k][0] < end:
            hole_start, hole_end = holes[k]
            if hole_start > cursor:
                result.append((cursor, hole_start))
            cursor = max(cursor, hole_end)
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            result.append((cursor, end))
    return result


def depth_segments(spans: Iterable[Span], start: datetime, end: datetime) -> list[tuple[datetime, datetime, int]]:
    """Split [start, end) into maximal segments of constant overlap depth of `spans` (clipped to the window)."""
    changes: dict[datetime, int] = {}
    for s, e in spans:
        s, e = max(s, start), min(e, end)
        if s < e:
            changes[s] = changes.get(s, 0) + 1
            changes[e] = changes.get(e, 0) - 1
    segments: list[tuple[datetime, datetime, int]] = []
    depth, cursor = 0, start
    # All changes at one instant are applied together, so a booking ending when another starts adds no depth.
    for instant in sorted(changes):
        if instant > cursor:
            if segments and segments[-1][2] == depth and segments[-1][1] == cursor:
                segments[-1] = (segments[-1][0], instant, depth)
            else:
                segments.append((cursor, instant, depth))
            cursor = instant
        depth += changes[instant]
    if cursor < end:
        if segments and segments[-1][2] == depth:
            segments[-1] = (segments[-1][0], end, depth)
        else:
            segments.append((cursor, end, depth))
    return segments


def spans_where(segments: Iterable[tuple[datetime, datetime, int]], predicate) -> list[Span]:
    """The merged spans of the depth segments whose depth satisfies `predicate`."""
    return intervals_merge((s, e) for s, e, depth in segments if predicate(depth))


def grid_ceil(moment: datetime, slot_minutes: int, tz: tzinfo) -> datetime:
    """The first instant at or after `moment` that lies on the slot grid of the lab's wall clock.

    The grid counts `slot_minutes` from local midnight. Across a DST change the wall clock jumps, so
    the candidate is re-checked until it lands on the grid (at most a few steps).
    """
    candidate = moment.astimezone(UTC)  # absolute arithmetic: adding to a local time would follow the wall clock
    for _ in range(10):
        local = candidate.astimezone(tz)
        past_minute = timedelta(seconds=local.second, microseconds=local.microsecond)
        remainder = (local.hour * 60 + local.minute) % slot_minutes
        if remainder == 0 and not past_minute:
            return candidate
        candidate = candidate - past_minute + timedelta(minutes=slot_minutes - remainder)
    return candidate


def is_on_grid(moment: datetime, slot_minutes: int, tz: tzinfo) -> bool:
    """The booking rules' grid test (one definition of the grid)."""
    return on_grid(moment, slot_minutes, tz)


def first_common_gap(
    blocked: Sequence[Span], *, earliest: datetime, latest_start: datetime, duration: timedelta, slot_minutes: int, tz: tzinfo
) -> Span | None:
    """The earliest on-grid [start, start + duration) with earliest <= start <= latest_start that avoids `blocked`.

    `blocked` must be sorted and disjoint (see `intervals_merge`).
    """
    gaps = intervals_subtract([(earliest, latest_start + duration)], blocked)
    for gap_start, gap_end in gaps:
        candidate = grid_ceil(gap_start, slot_minutes, tz)
        while candidate + duration <= gap_end:
            if candidate > latest_start:
                return None
            # Across a DST change the end of an on-grid start can miss the grid (slots that do not divide an hour).
            if is_on_grid(candidate + duration, slot_minutes, tz):
                return candidate, candidate + duration
            candidate = grid_ceil(candidate + timedelta(minutes=1), slot_minutes, tz)
        if candidate > latest_start:
            return None
    return None


# --- read models ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusyInterval:
    """An active booking on the device, with its own (unclipped) start and end."""

    booking_id: int
    start: datetime
    end: datetime
    status: str
    owner_id: int
    owner_username: str


@dataclass(frozen=True)
class MaintenanceInterval:
    window_id: int
    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


@dataclass
class DeviceAvailability:
    """One device over the asked window: what holds it, and where it is free or still bookable."""

    device: Device
    capacity: int
    is_bookable: bool
    busy: list[BusyInterval] = field(default_factory=list)
    maintenance: list[MaintenanceInterval] = field(default_factory=list)
    free: list[Interval] = field(default_factory=list)
    bookable: list[Interval] = field(default_factory=list)


def policy_read() -> BookingPolicy:
    """The policy row, or the defaults when none is saved yet; unlike BookingPolicy.load() it never writes."""
    return BookingPolicy.objects.filter(pk=1).first() or BookingPolicy()


def _overlapping(start: datetime, end: datetime) -> Q:
    return Q(start__lt=end, end__gt=start)


def availability_for(*, devices: Sequence[Device], start: datetime, end: datetime) -> list[DeviceAvailability]:
    """Busy, maintenance, free and bookable intervals of each device within [start, end).

    `devices` need their `device_type` loaded (select_related). Two queries, whatever the number of
    devices or bookings. `free`: no active booking and no maintenance. `bookable`: one more booking
    fits (overlap depth < capacity), no maintenance, and the device itself is bookable.
    """
    # In UTC so that comparisons and sums are absolute, whatever zone the caller used.
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    ids = [d.pk for d in devices]
    bookings = (
        Booking.objects.filter(_overlapping(start, end), device_id__in=ids, status__in=ACTIVE_STATUSES)
        .order_by("start", "id")
        .values_list("id", "device_id", "start", "end", "status", "group__owner_id", "group__owner__username")
    )
    windows = (
        MaintenanceWindow.objects.filter(_overlapping(start, end), device_id__in=ids)
        .order_by("start", "id")
        .values_list("id", "device_id", "start", "end", "reason")
    )
    busy_by_device: dict[int, list[BusyInterval]] = {pk: [] for pk in ids}
    for booking_id, device_id, b_start, b_end, status, owner_id, username in bookings:
        busy_by_device[device_id].append(BusyInterval(booking_id, b_start, b_end, status, owner_id, username))
    maintenance_by_device: dict[int, list[MaintenanceInterval]] = {pk: [] for pk in ids}
    for window_id, device_id, w_start, w_end, reason in windows:
        maintenance_by_device[device_id].append(MaintenanceInterval(window_id, w_start, w_end, reason))

    result = []
    for device in devices:
        busy = busy_by_device[device.pk]
        maintenance = maintenance_by_device[device.pk]
        capacity = device.effective_capacity
        is_bookable = device.is_bookable
        segments = depth_segments(((b.start, b.end) for b in busy), start, end)
        held = intervals_merge((max(m.start, start), min(m.end, end)) for m in maintenance)
        free = intervals_subtract(spans_where(segments, lambda depth: depth == 0), held)
        bookable = intervals_subtract(spans_where(segments, lambda depth, c=capacity: depth < c), held) if is_bookable else []
        result.append(
            DeviceAvailability(
                device=device,
                capacity=capacity,
                is_bookable=is_bookable,
                busy=busy,
                maintenance=maintenance,
                free=[Interval(s, e) for s, e in free],
                bookable=[Interval(s, e) for s, e in bookable],
            )
        )
    return result


def availability_next_slot(*, devices: Sequence[Device], duration: timedelta, after: datetime) -> Span | None:
    """The earliest [start, start + duration) in which every device is free, or None.

    Free means no active booking, no maintenance, and the device bookable. The start lies on the
    policy's slot grid (lab wall clock), not before `after` nor now, and at most the policy horizon
    ahead of now. Three queries (policy, bookings, maintenance).
    """
    if not devices or any(not d.is_bookable for d in devices):
        return None
    policy = policy_read()
    tz = timezone.get_default_timezone()
    now = clock.now()
    earliest = grid_ceil(max(after, now), policy.slot_minutes, tz)  # in UTC
    latest_start = now.astimezone(UTC) + policy.horizon
    if earliest > latest_start:
        return None
    search_end = latest_start + duration
    ids = [d.pk for d in devices]
    spans = list(
        Booking.objects.filter(_overlapping(earliest, search_end), device_id__in=ids, status__in=ACTIVE_STATUSES)
        .values_list("start", "end")
    )
    spans += MaintenanceWindow.objects.filter(_overlapping(earliest, search_end), device_id__in=ids).values_list("start", "end")
    return first_common_gap(
        intervals_merge(spans),
        earliest=earliest,
        latest_start=latest_start,
        duration=duration,
        slot_minutes=policy.slot_minutes,
        tz=tz,
    )
