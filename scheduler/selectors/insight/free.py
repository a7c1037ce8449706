"""What is free in a window: per device type, the devices that are free, shared or refused.

Every device of the matching types is in exactly one list: `free` when no active booking overlaps
the window (and no maintenance; the device bookable); `shared` when some do but one more booking
fits at every instant (overlap depth below capacity; `held` is the deepest overlap); `refused`
otherwise, with the reason `unavailable` (device status or type not schedulable), `maintenance`
(a window overlaps) or `full`. Three queries, whatever the number of bookings.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Count
from django.utils import timezone

from core.natural_order import natural_key
from inventory.choices import DeviceStatus
from inventory.models import Device
from scheduler.booking_rules import describe_window, overlap_depth
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, MaintenanceWindow

FULL, MAINTENANCE, UNAVAILABLE = "full", "maintenance", "unavailable"


@dataclass(frozen=True)
class DeviceBrief:
    id: int
    name: str
    device_type_id: int
    device_type: str
    site_id: int | None
    site: str | None
    ports: int
    capacity: int
    status: str
    schedulable: bool

    @property
    def is_bookable(self) -> bool:
        return self.status == DeviceStatus.AVAILABLE and self.schedulable


@dataclass(frozen=True)
class SharedDevice:
    device: DeviceBrief
    held: int
    capacity: int
    holders: list[str]


@dataclass(frozen=True)
class RefusedDevice:
    device: DeviceBrief
    reason: str
    message: str


@dataclass
class TypeFreedom:
    device_type_id: int
    device_type: str
    free: list[DeviceBrief] = field(default_factory=list)
    shared: list[SharedDevice] = field(default_factory=list)
    refused: list[RefusedDevice] = field(default_factory=list)


@dataclass
class FreeReport:
    start: datetime
    end: datetime
    types: list[TypeFreedom]


def device_briefs(queryset) -> list[DeviceBrief]:
    """DeviceBriefs of `queryset` with their port counts, in one query."""
    rows = queryset.annotate(port_count=Count("ports")).order_by().values_list(
        "id", "name", "device_type_id", "device_type__name", "site_id", "site__name", "port_count", "capacity",
        "device_type__default_capacity", "status", "device_type__is_schedulable",
    )
    briefs = [DeviceBrief(pk, name, type_id, type_name, site_id, site, ports, capacity or default, status, schedulable)
              for pk, name, type_id, type_name, site_id, site, ports, capacity, default, status, schedulable in rows]
    return sorted(briefs, key=lambda d: (natural_key(d.device_type), d.device_type_id, natural_key(d.name), d.id))


def _unavailable_message(device: DeviceBrief) -> str:
    if device.status != DeviceStatus.AVAILABLE:
        label = DeviceStatus(device.status).label.lower() if device.status in DeviceStatus.values else device.status
        return f"{device.name} is {label} and cannot be booked."
    return f"{device.device_type} devices are not bookable (their type is not scheduled)."


def free_for(*, start: datetime, end: datetime, device_type=None, site=None) -> FreeReport:
    """Free, shared and refused devices of each type in [start, end)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    devices = Device.objects.all()
    if device_type is not None:
        devices = devices.filter(device_type=device_type)
    if site is not None:
        devices = devices.filter(site=site)
    filtered = device_type is not None or site is not None
    briefs = device_briefs(devices)
    ids = [d.id for d in briefs]
    bookings = Booking.objects.filter(start__lt=end, end__gt=start, status__in=ACTIVE_STATUSES)
    windows = MaintenanceWindow.objects.filter(start__lt=end, end__gt=start)
    if filtered:
        bookings, windows = bookings.filter(device_id__in=ids), windows.filter(device_id__in=ids)
    held: dict[int, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for device_id, b_start, b_end, username in bookings.values_list("device_id", "start", "end", "group__owner__username"):
        held[device_id].append((max(b_start, start), min(b_end, end), username))
    maintenance: dict[int, list[tuple[datetime, datetime, str]]] = defaultdict(list)
    for device_id, w_start, w_end, reason in windows.order_by("start").values_list("device_id", "start", "end", "reason"):
        maintenance[device_id].append((w_start, w_end, reason))

    tz = timezone.get_default_timezone()
    types: dict[int, TypeFreedom] = {}
    for device in briefs:
        entry = types.get(device.device_type_id) or types.setdefault(
            device.device_type_id, TypeFreedom(device.device_type_id, device.device_type))
        overlapping = held.get(device.id, [])
        depth = overlap_depth((s, e) for s, e, _ in overlapping)
        if not device.is_bookable:
            entry.refused.append(RefusedDevice(device, UNAVAILABLE, _unavailable_message(device)))
        elif maintenance.get(device.id):
            w_start, w_end, reason = maintenance[device.id][0]
            entry.refused.append(RefusedDevice(device, MAINTENANCE, (
                f"{device.name} is under maintenance {describe_window(w_start, w_end, tz)}"
                f"{' (' + reason + ')' if reason else ''}.")))
        elif depth >= device.capacity:
            holders = ", ".join(sorted({u for _, _, u in overlapping}))
            entry.refused.append(RefusedDevice(device, FULL, (
                f"{device.name} is fully booked ({depth} of {device.capacity}) by {holders} in this window.")))
        elif overlapping:
            entry.shared.append(SharedDevice(device, depth, device.capacity, sorted({u for _, _, u in overlapping})))
        else:
            entry.free.append(device)
    return FreeReport(start=start, end=end, types=list(types.values()))
