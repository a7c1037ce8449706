"""The data behind the week grid: devices with their active bookings and maintenance in a window of lab days."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.natural_order import natural_key
from inventory.choices import DeviceStatus
from inventory.models import Device, DeviceType, Port, Site, Tag
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, MaintenanceWindow

MAX_DAYS = 31
# Search terms may be separated by commas, semicolons or new lines (the old grid's habit).
TERM_SEPARATORS = re.compile(r"[,;\n]+")


@dataclass(frozen=True)
class ScheduleBooking:
    id: int
    start: datetime
    end: datetime
    status: str
    owner_id: int
    owner_username: str
    group_id: int


@dataclass(frozen=True)
class ScheduleMaintenance:
    id: int
    start: datetime
    end: datetime
    reason: str


@dataclass(frozen=True)
class DeviceTypeBrief:
    id: int
    name: str


@dataclass(frozen=True)
class ScheduleDeviceInfo:
    """The few device fields the grid shows (read with values(): model instances cost most of the time)."""

    id: int
    name: str
    device_type: DeviceTypeBrief
    site: str | None
    status: str
    is_bookable: bool
    mgmt_ip: str | None

    @property
    def pk(self) -> int:
        return self.id

    @property
    def unbookable_reason(self) -> str:
        """Why the device cannot be booked ("" when it can): its status, or its type is not scheduled."""
        if self.is_bookable:
            return ""
        if self.status != DeviceStatus.AVAILABLE:
            return DeviceStatus(self.status).label.lower() if self.status in DeviceStatus.values else self.status
        return "not bookable"


@dataclass
class ScheduleDevice:
    device: ScheduleDeviceInfo
    capacity: int
    bookings: list[ScheduleBooking] = field(default_factory=list)
    maintenance: list[ScheduleMaintenance] = field(default_factory=list)


@dataclass
class Schedule:
    start: datetime
    end: datetime
    devices: list[ScheduleDevice]


def lab_day_start(day: date) -> datetime:
    """Local midnight of `day` in the lab's time zone, as an aware datetime (DST-safe)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def search_terms(q: str) -> list[str]:
    return [term.strip() for term in TERM_SEPARATORS.split(q or "") if term.strip()]


def devices_matching(*, device_type: DeviceType | int | None = None, site: Site | int | None = None,
                     tag: Tag | int | None = None, q: str = "") -> QuerySet[Device]:
    """Devices filtered like the grid's search box: any term matches name, type name, port label or management IP."""
    devices = Device.objects.all()
    if device_type is not None:
        devices = devices.filter(device_type=device_type)
    if site is not None:
        devices = devices.filter(site=site)
    if tag is not None:
        devices = devices.filter(tags=tag)
    terms = search_terms(q)
    if terms:
        match = Q()
        port_match = Q()
        for term in terms:
            match |= Q(name__icontains=term) | Q(device_type__name__icontains=term) | Q(mgmt_ip__icontains=term)
            port_match |= Q(name__icontains=term)
        # A subquery, not a join, so a device with several matching ports appears once.
        match |= Q(pk__in=Port.objects.filter(port_match).values("device_id"))
        devices = devices.filter(match)
    return devices.order_by("device_type__name", "name", "id")


def schedule_for(*, start: date, days: int, device_type=None, site=None, tag=None, q: str = "") -> Schedule:
    """Devices (all, or filtered) with their active bookings and maintenance windows overlapping the window.

    Devices come grouped by type in natural order ("EDFA 2" before "EDFA 10"), sorted here in
    Python so the order is the same on every database. The window runs from local midnight of `start` to local midnight `days` days later, so a DST
    change gives a 23- or 25-hour day. Three queries, whatever the number of devices or bookings.
    """
    if not 1 <= days <= MAX_DAYS:
        raise ValueError(f"days must be between 1 and {MAX_DAYS}")
    window_start = lab_day_start(start)
    window_end = lab_day_start(start + timedelta(days=days))
    filtered = any(x is not None for x in (device_type, site, tag)) or bool(search_terms(q))
    rows = devices_matching(device_type=device_type, site=site, tag=tag, q=q).values_list(
        "id", "name", "device_type_id", "device_type__name", "site__name", "status", "mgmt_ip",
        "capacity", "device_type__default_capacity", "device_type__is_schedulable",
    )
    types: dict[int, DeviceTypeBrief] = {}
    by_id: dict[int, ScheduleDevice] = {}
    for pk, name, type_id, type_name, site_name, status, mgmt_ip, capacity, default_capacity, schedulable in rows:
        brief = types.get(type_id) or types.setdefault(type_id, DeviceTypeBrief(type_id, type_name))
        # Same rule as Device.is_bookable and Device.effective_capacity.
        bookable = status == DeviceStatus.AVAILABLE and schedulable
        info = ScheduleDeviceInfo(pk, name, brief, site_name, status, bookable, mgmt_ip)
        by_id[pk] = ScheduleDevice(device=info, capacity=capacity or default_capacity)
    if not by_id:
        return Schedule(start=window_start, end=window_end, devices=[])

    bookings = Booking.objects.filter(start__lt=window_end, end__gt=window_start, status__in=ACTIVE_STATUSES)
    windows = MaintenanceWindow.objects.filter(start__lt=window_end, end__gt=window_start)
    if filtered:
        bookings = bookings.filter(device_id__in=list(by_id))
        windows = windows.filter(device_id__in=list(by_id))
    rows = bookings.order_by("start", "id").values_list(
        "id", "device_id", "start", "end", "status", "group__owner_id", "group__owner__username", "group_id"
    )
    for booking_id, device_id, b_start, b_end, status, owner_id, username, group_id in rows:
        entry = by_id.get(device_id)
        if entry is not None:
            entry.bookings.append(ScheduleBooking(booking_id, b_start, b_end, status, owner_id, username, group_id))
    for window_id, device_id, w_start, w_end, reason in windows.order_by("start", "id").values_list(
        "id", "device_id", "start", "end", "reason"
    ):
        entry = by_id.get(device_id)
        if entry is not None:
            entry.maintenance.append(ScheduleMaintenance(window_id, w_start, w_end, reason))
    devices = sorted(by_id.values(), key=lambda e: (natural_key(e.device.device_type.name), e.device.device_type.id,
                                                    natural_key(e.device.name), e.device.id))
    return Schedule(start=window_start, end=window_end, devices=devices)
