"""When each device could be booked over a period: the holes in its bookable time.

A device is not bookable before it was created, while its status is not `available` (read back
from the device history, so a device retired mid-period counts until it was retired), while a
maintenance window covers it, or at all when its type is not schedulable. These rows are few (a
handful of status changes and windows per device), so they are read and merged in Python; the
booked time itself is summed in SQL (see `sql.booked_seconds`).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from inventory.choices import DeviceStatus, HistoryAction
from inventory.models import Device, DeviceHistory
from scheduler.models import MaintenanceWindow
from scheduler.selectors.availability import intervals_merge

Span = tuple[datetime, datetime]


@dataclass(frozen=True)
class DeviceRow:
    """The device fields the reports group by."""

    id: int
    name: str
    type_id: int
    type_name: str
    site_id: int | None
    site_name: str | None
    capacity: int


@dataclass
class BookableCalendar:
    """Devices with the merged, sorted holes (non-bookable spans) of each, clipped to [start, end)."""

    start: datetime
    end: datetime
    devices: list[DeviceRow]
    holes: dict[int, list[Span]]

    def hole_rows(self) -> list[tuple[int, datetime, datetime]]:
        return [(pk, s, e) for pk, spans in self.holes.items() for s, e in spans]

    def bookable_seconds(self, device_id: int, span: Span) -> float:
        """Seconds of `span` (clipped to the period) in which the device could be booked."""
        s, e = max(span[0], self.start), min(span[1], self.end)
        if s >= e:
            return 0.0
        total = (e - s).total_seconds()
        for hs, he in self.holes.get(device_id, ()):
            if hs >= e:
                break
            overlap = (min(he, e) - max(hs, s)).total_seconds()
            if overlap > 0:
                total -= overlap
        return total


def status_spans(*, current: str, changes: Sequence[tuple[datetime, str, str]], start: datetime,
                 end: datetime) -> list[tuple[datetime, datetime, str]]:
    """The device's status over [start, end) from its changes (time, old, new) after `start`, oldest first.

    Before the first change the status was that change's old value; without changes it is `current`.
    """
    status = changes[0][1] if changes else current
    spans, cursor = [], start
    for moment, _old, new in changes:
        moment = min(max(moment, start), end)
        if moment > cursor:
            spans.append((cursor, moment, status))
            cursor = moment
        status = new
    if cursor < end:
        spans.append((cursor, end, status))
    return spans


def holes_of(*, created_at: datetime, schedulable: bool, current_status: str,
             changes: Sequence[tuple[datetime, str, str]], maintenance: Iterable[Span],
             start: datetime, end: datetime) -> list[Span]:
    """Merged non-bookable spans of one device within [start, end) (pure: no database)."""
    if not schedulable:
        return [(start, end)]
    spans: list[Span] = []
    if created_at > start:
        spans.append((start, min(created_at, end)))
    spans += [(s, e) for s, e, status in status_spans(current=current_status, changes=changes, start=start, end=end)
              if status != DeviceStatus.AVAILABLE]
    spans += [(max(s, start), min(e, end)) for s, e in maintenance]
    return intervals_merge(s for s in spans if s[0] < s[1])


def bookable_calendar(*, start: datetime, end: datetime, device_type=None, site=None,
                      devices: Sequence[int] | None = None) -> BookableCalendar:
    """Devices (optionally filtered) and their holes over [start, end). Three queries."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    qs = Device.objects.all()
    if device_type is not None:
        qs = qs.filter(device_type=device_type)
    if site is not None:
        qs = qs.filter(site=site)
    if devices is not None:
        qs = qs.filter(pk__in=list(devices))
    rows = list(qs.order_by("device_type__name", "name", "id").values_list(
        "id", "name", "device_type_id", "device_type__name", "site_id", "site__name", "capacity",
        "device_type__default_capacity", "device_type__is_schedulable", "status", "created_at",
    ))
    ids = [r[0] for r in rows]
    filtered = device_type is not None or site is not None or devices is not None
    changes: dict[int, list[tuple[datetime, str, str]]] = defaultdict(list)
    history = DeviceHistory.objects.filter(action=HistoryAction.UPDATED, field="status", created_at__gt=start)
    windows = MaintenanceWindow.objects.filter(start__lt=end, end__gt=start)
    if filtered:
        history = history.filter(device_id__in=ids)
        windows = windows.filter(device_id__in=ids)
    for device_id, moment, old, new in history.order_by("created_at", "id").values_list(
            "device_id", "created_at", "old_value", "new_value"):
        changes[device_id].append((moment, old, new))
    maintenance: dict[int, list[Span]] = defaultdict(list)
    for device_id, w_start, w_end in windows.values_list("device_id", "start", "end"):
        maintenance[device_id].append((w_start, w_end))
    result, holes = [], {}
    for pk, name, type_id, type_name, site_id, site_name, capacity, default_capacity, schedulable, status, created in rows:
        result.append(DeviceRow(pk, name, type_id, type_name, site_id, site_name, capacity or default_capacity))
        device_holes = holes_of(created_at=created, schedulable=schedulable, current_status=status,
                                changes=changes.get(pk, ()), maintenance=maintenance.get(pk, ()), start=start, end=end)
        if device_holes:
            holes[pk] = device_holes
    return BookableCalendar(start=start, end=end, devices=result, holes=holes)
