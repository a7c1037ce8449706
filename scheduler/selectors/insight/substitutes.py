"""Help for a refused request: substitutes free in the same window, and when the asked device is free.

A substitute has the same type, at least as many Polatis ports, is bookable, and is free for the
whole window (no active booking, no maintenance); devices at the asked device's site come first,
then those with the fewest extra ports, then by name. `next_free` is the asked device's earliest
window of the same length, on the slot grid, starting at or after the asked start (and not in the
past), within the booking horizon, in which it is free in the same sense; None when the device
cannot be booked at all or nothing fits. A fixed number of queries for any number of items.
"""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q
from django.utils import timezone

from core import clock
from core.natural_order import natural_key
from inventory.choices import DeviceStatus
from inventory.models import Device
from scheduler.booking_rules import describe_window
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, MaintenanceWindow
from scheduler.selectors.availability import first_common_gap, grid_ceil, intervals_merge, policy_read
from scheduler.selectors.insight.free import DeviceBrief, device_briefs

SUGGESTION_LIMIT = 3
# Refusals a different device or a later time can cure.
HELPABLE_REASONS = frozenset({"capacity", "full", "maintenance", "unavailable"})


@dataclass(frozen=True)
class AskedItem:
    device_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Substitute:
    device: DeviceBrief
    reason: str


@dataclass(frozen=True)
class RefusalHelp:
    suggestions: list[Substitute]
    next_free: tuple[datetime, datetime] | None


def _windows_q(items: Sequence[AskedItem]) -> Q:
    q = Q()
    for item in items:
        q |= Q(start__lt=item.end, end__gt=item.start)
    return q


def _busy(device_ids, items: Sequence[AskedItem]) -> dict[int, list[tuple[datetime, datetime]]]:
    """Active bookings and maintenance of the devices overlapping any of the items' windows (two queries)."""
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    if not device_ids or not items:
        return busy
    window = _windows_q(items)
    rows = Booking.objects.filter(window, device_id__in=device_ids, status__in=ACTIVE_STATUSES).values_list(
        "device_id", "start", "end")
    rows = list(rows) + list(MaintenanceWindow.objects.filter(window, device_id__in=device_ids).values_list(
        "device_id", "start", "end"))
    for device_id, start, end in rows:
        busy[device_id].append((start, end))
    return busy


def _reason(asked: DeviceBrief, candidate: DeviceBrief, item: AskedItem, tz) -> str:
    parts = [f"same type ({candidate.device_type})"]
    if asked.site_id is not None and candidate.site_id == asked.site_id:
        parts.append(f"same site ({candidate.site})")
    elif candidate.site:
        parts.append(f"at {candidate.site}")
    if asked.ports or candidate.ports:
        extra = f" (asked {asked.ports})" if candidate.ports != asked.ports else ""
        parts.append(f"{candidate.ports} switch port{'s' if candidate.ports != 1 else ''}{extra}")
    parts.append(f"free {describe_window(item.start, item.end, tz)}")
    text = ", ".join(parts)
    return text[0].upper() + text[1:]


def refusal_help(*, items: Sequence[AskedItem], exclude: Sequence[set[int]] | None = None,
                 limit: int = SUGGESTION_LIMIT) -> list[RefusalHelp]:
    """Substitutes and next free window for each refused item (same order). Eight queries at most.

    `exclude[i]` names devices item i must not suggest (e.g. other items of the same cart in the
    same window).
    """
    if not items:
        return []
    items = [AskedItem(i.device_id, i.start.astimezone(UTC), i.end.astimezone(UTC)) for i in items]
    tz = timezone.get_default_timezone()
    asked = {d.id: d for d in device_briefs(Device.objects.filter(pk__in={i.device_id for i in items}))}
    type_ids = {d.device_type_id for d in asked.values()}
    candidates = device_briefs(Device.objects.filter(device_type_id__in=type_ids, status=DeviceStatus.AVAILABLE,
                                                     device_type__is_schedulable=True))
    busy = _busy([c.id for c in candidates], items)
    next_free = _next_free(items, asked)
    result = []
    for index, item in enumerate(items):
        device = asked.get(item.device_id)
        if device is None:
            result.append(RefusalHelp([], None))
            continue
        skip = (exclude[index] if exclude and index < len(exclude) else set()) | {device.id}
        fitting = [
            c for c in candidates
            if c.device_type_id == device.device_type_id and c.id not in skip and c.ports >= device.ports
            and not any(s < item.end and e > item.start for s, e in busy.get(c.id, ()))
        ]
        fitting.sort(key=lambda c: (not (device.site_id is not None and c.site_id == device.site_id),
                                    c.ports - device.ports, natural_key(c.name), c.id))
        suggestions = [Substitute(c, _reason(device, c, item, tz)) for c in fitting[:limit]]
        result.append(RefusalHelp(suggestions, next_free.get(index)))
    return result


def _next_free(items: Sequence[AskedItem], asked: dict[int, DeviceBrief]) -> dict[int, tuple[datetime, datetime]]:
    """Index → the asked device's own next free window of the item's length (three queries)."""
    policy = policy_read()
    tz = timezone.get_default_timezone()
    now = clock.now().astimezone(UTC)
    latest_start = now + policy.horizon
    wanted = [(n, i) for n, i in enumerate(items) if asked.get(i.device_id) and asked[i.device_id].is_bookable]
    if not wanted:
        return {}
    earliest = {n: grid_ceil(max(i.start, now), policy.slot_minutes, tz) for n, i in wanted}
    wanted = [(n, i) for n, i in wanted if earliest[n] <= latest_start]
    if not wanted:
        return {}
    lo = min(earliest[n] for n, _ in wanted)
    hi = latest_start + max(i.end - i.start for _, i in wanted)
    ids = {i.device_id for _, i in wanted}
    spans: dict[int, list] = defaultdict(list)
    for device_id, start, end in Booking.objects.filter(
            start__lt=hi, end__gt=lo, device_id__in=ids, status__in=ACTIVE_STATUSES).values_list("device_id", "start", "end"):
        spans[device_id].append((start, end))
    for device_id, start, end in MaintenanceWindow.objects.filter(start__lt=hi, end__gt=lo, device_id__in=ids).values_list(
            "device_id", "start", "end"):
        spans[device_id].append((start, end))
    merged = {pk: intervals_merge(v) for pk, v in spans.items()}
    found = {}
    for n, item in wanted:
        gap = first_common_gap(merged.get(item.device_id, []), earliest=earliest[n], latest_start=latest_start,
                               duration=item.end - item.start, slot_minutes=policy.slot_minutes, tz=tz)
        if gap is not None:
            found[n] = gap
    return found


def brief_json(device: DeviceBrief) -> dict:
    return {"id": device.id, "name": device.name, "device_type": {"id": device.device_type_id, "name": device.device_type},
            "site": {"id": device.site_id, "name": device.site} if device.site_id else None, "ports": device.ports,
            "capacity": device.capacity}


def conflicts_with_help(conflicts: list[dict], items: Mapping[int, dict]) -> list[dict]:
    """Add `suggestions` and `next_free` to every conflict entry (in place).

    `items` maps an entry's `item` index to the requested {device, start, end} (device an id or a
    Device). Entries whose reason no other device or time can cure get [] and None.
    """
    wanted = []
    for entry in conflicts:
        entry.setdefault("suggestions", [])
        entry.setdefault("next_free", None)
        item = items.get(entry.get("item")) if entry.get("reason") in HELPABLE_REASONS else None
        if item is not None:
            wanted.append((entry, AskedItem(getattr(item["device"], "pk", item["device"]), item["start"], item["end"])))
    if not wanted:
        return conflicts
    # Devices asked by other items for overlapping windows are not offered as substitutes.
    asked = [(getattr(i["device"], "pk", i["device"]), i["start"], i["end"]) for i in items.values()]
    exclude = [{d for d, s, e in asked if s < w.end and e > w.start} for _, w in wanted]
    helps = refusal_help(items=[w for _, w in wanted], exclude=exclude)
    for (entry, _), help_ in zip(wanted, helps, strict=True):
        entry["suggestions"] = [{"device": brief_json(s.device), "reason": s.reason} for s in help_.suggestions]
        entry["next_free"] = ({"start": timezone.localtime(help_.next_free[0]).isoformat(),
                               "end": timezone.localtime(help_.next_free[1]).isoformat()} if help_.next_free else None)
    return conflicts
