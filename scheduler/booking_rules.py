"""The booking rules that need no database: windows, overlap depth, the slot grid, status transitions.

Every window is half-open, [start, end): a booking that ends at 12:00 and one that starts at 12:00
do not overlap. The booking service feeds these functions with rows it read under the device lock.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from zoneinfo import ZoneInfo

from scheduler.choices import BookingStatus

S = BookingStatus

# The only status changes the services may make; everything else is refused.
#   pending/conflicting flip between each other when neighbours come and go, are decided by a
#   manager (confirmed/rejected), withdrawn by the owner (cancelled) or run out (expired);
#   a confirmed booking can only be cancelled; rejected, cancelled and expired are final.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING: frozenset({S.CONFLICTING, S.CONFIRMED, S.REJECTED, S.CANCELLED, S.EXPIRED}),
    S.CONFLICTING: frozenset({S.PENDING, S.CONFIRMED, S.REJECTED, S.CANCELLED, S.EXPIRED}),
    S.CONFIRMED: frozenset({S.CANCELLED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.EXPIRED: frozenset(),
}


def transition_allowed(old: str, new: str) -> bool:
    """True when a booking may go from status `old` to status `new`."""
    return new in ALLOWED_TRANSITIONS.get(old, frozenset())


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """Half-open windows overlap when each starts before the other ends; back-to-back does not."""
    return a_start < b_end and b_start < a_end


def overlap_depth(windows: Iterable[tuple[datetime, datetime]]) -> int:
    """The largest number of windows that cover one instant (a sweep over start/end events).

    At equal times ends are processed before starts, so back-to-back windows never stack.
    """
    events = []
    for start, end in windows:
        if start < end:
            events.append((start, 1))
            events.append((end, -1))
    events.sort(key=lambda e: (e[0], e[1]))  # -1 (end) sorts before +1 (start) at the same instant
    depth = best = 0
    for _, step in events:
        depth += step
        best = max(best, depth)
    return best


def depth_with(start: datetime, end: datetime, others: Iterable[tuple[datetime, datetime]]) -> int:
    """Overlap depth inside [start, end) of `others` plus the window itself."""
    clipped = [(max(s, start), min(e, end)) for s, e in others if overlaps(s, e, start, end)]
    return overlap_depth([*clipped, (start, end)])


def read_in_zone(value: datetime, tz: ZoneInfo) -> datetime:
    """An aware datetime; a naive one is read as wall-clock time in `tz`.

    A wall-clock time that does not exist (skipped by the spring DST change) raises ValueError;
    an ambiguous one (the autumn change repeats an hour) is read as its first occurrence.
    """
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value
    aware = value.replace(tzinfo=tz, fold=0)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value.replace(fold=0):
        raise ValueError(f"{value:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks skip it).")
    return aware


def to_utc(value: datetime, tz: ZoneInfo) -> datetime:
    """The instant `value` names, in UTC (a naive value is the wall clock of `tz`, see read_in_zone).

    Every time the booking services hold is in UTC: aware datetimes that share one tzinfo compare
    and subtract by their wall reading, which is wrong across the autumn change (01:00 IST and
    01:00 GMT read alike) and the spring one. Converting once, where input enters, means every
    comparison, difference and sort after that is one of instants.
    """
    return read_in_zone(value, tz).astimezone(UTC)


def wall_clock(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant (UTC) at which the lab's clock shows `at` on `day`.

    A time the spring change skips raises ValueError naming it (never a silent shift); a time the
    autumn change repeats is its first occurrence.
    """
    return to_utc(datetime.combine(day, at), tz)


def on_grid(value: datetime, slot_minutes: int, tz: ZoneInfo) -> bool:
    """True when `value`, read on the lab's wall clock, is a whole number of slots after midnight."""
    local = value.astimezone(tz)
    if local.second or local.microsecond:
        return False
    return (local.hour * 60 + local.minute) % slot_minutes == 0


@dataclass(frozen=True)
class Limits:
    """The policy values the window checks need (see BookingPolicy)."""

    slot_minutes: int
    max_duration: timedelta
    horizon: timedelta
    past_grace: timedelta


def window_problems(start: datetime, end: datetime, *, now: datetime, limits: Limits, tz: ZoneInfo,
                    check_past: bool = True, check_horizon: bool = True) -> list[str]:
    """Readable reasons why [start, end) cannot be requested; empty when it can."""
    problems = []
    if end <= start:
        return ["The end must be after the start."]
    if not (on_grid(start, limits.slot_minutes, tz) and on_grid(end, limits.slot_minutes, tz)):
        problems.append(
            f"Times must be on the {limits.slot_minutes}-minute grid of the lab's clock "
            f"(e.g. {_grid_example(limits.slot_minutes)}); round the start and end."
        )
    if check_past and start < now - limits.past_grace:
        problems.append("The start lies in the past; pick a time from now on.")
    if end - start > limits.max_duration:
        problems.append(f"A booking may last at most {describe_duration(limits.max_duration)}; shorten it or split it.")
    if check_horizon and start > now + limits.horizon:
        problems.append(f"Bookings can start at most {describe_duration(limits.horizon)} ahead; pick an earlier start.")
    return problems


def describe_duration(value: timedelta) -> str:
    """'21 days', '4 hours', '90 minutes'."""
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        n, unit = minutes // (24 * 60), "day"
    elif minutes % 60 == 0:
        n, unit = minutes // 60, "hour"
    else:
        n, unit = minutes, "minute"
    return f"{n} {unit}{'' if n == 1 else 's'}"


def describe_window(start: datetime, end: datetime, tz: ZoneInfo | dt_timezone) -> str:
    """'from 12:00 to 18:00 on 3 Dec' or 'from 18:00 on 3 Dec to 07:00 on 4 Dec', in the lab's zone."""
    s, e = start.astimezone(tz), end.astimezone(tz)
    if s.date() == e.date():
        return f"from {s:%H:%M} to {e:%H:%M} on {s.day} {s:%b}"
    return f"from {s:%H:%M} on {s.day} {s:%b} to {e:%H:%M} on {e.day} {e:%b}"


def _grid_example(slot_minutes: int) -> str:
    first = timedelta(hours=10)
    second = first + timedelta(minutes=slot_minutes)
    return ", ".join(f"{int(t.total_seconds() // 3600):02d}:{int(t.total_seconds() % 3600 // 60):02d}" for t in (first, second))
