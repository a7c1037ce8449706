"""Utilization over a period: booked hours ÷ bookable hours, per device, device type and site.

Bookable hours count each hour a device could be booked (created, status available, type
schedulable, no maintenance) times its capacity: a capacity-2 ROADM offers 2 booking-hours per
hour, since two bookings may share it. Booked hours are the hours of active bookings inside
bookable time (each shared booking counts its own hours), confirmed and undecided (pending or
conflicting) apart. So two overlapping 4-hour bookings on a free capacity-2 device over a 10-hour
period are 8 booked of 20 bookable hours: 40 %.
"""

from dataclasses import dataclass, field
from datetime import datetime

from scheduler.selectors.insight.calendar import bookable_calendar
from scheduler.selectors.insight.sql import CONFIRMED, UNDECIDED, booked_seconds


@dataclass
class UsageRow:
    id: int | None
    name: str
    bookable_hours: float = 0.0
    confirmed_hours: float = 0.0
    pending_hours: float = 0.0
    devices: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def utilization(self) -> float | None:
        """Confirmed share of bookable hours (0..1), or None when nothing was bookable."""
        return self.confirmed_hours / self.bookable_hours if self.bookable_hours else None

    @property
    def pending_share(self) -> float | None:
        return self.pending_hours / self.bookable_hours if self.bookable_hours else None

    def add(self, other: "UsageRow") -> None:
        self.bookable_hours += other.bookable_hours
        self.confirmed_hours += other.confirmed_hours
        self.pending_hours += other.pending_hours
        self.devices += other.devices


@dataclass
class UtilizationReport:
    start: datetime
    end: datetime
    devices: list[UsageRow]
    types: list[UsageRow]
    sites: list[UsageRow]
    total: UsageRow


def _hours(seconds: float) -> float:
    return round(seconds / 3600, 4)


def utilization_report(*, start: datetime, end: datetime, device_type=None, site=None) -> UtilizationReport:
    """Per-device, per-type and per-site utilization over [start, end). Four queries."""
    calendar = bookable_calendar(start=start, end=end, device_type=device_type, site=site)
    filtered = device_type is not None or site is not None
    ids = [d.id for d in calendar.devices]
    booked = booked_seconds(cells=[(calendar.start, calendar.end)], holes=calendar.hole_rows(), key="device",
                            device_ids=ids if filtered else None)
    devices, types, sites = [], {}, {}
    total = UsageRow(None, "All devices")
    for device in calendar.devices:
        row = UsageRow(
            device.id, device.name,
            bookable_hours=_hours(calendar.bookable_seconds(device.id, (calendar.start, calendar.end)) * device.capacity),
            confirmed_hours=_hours(booked.get((device.id, CONFIRMED, 0), 0.0)),
            pending_hours=_hours(booked.get((device.id, UNDECIDED, 0), 0.0)),
            devices=1,
            extra={"device_type": device.type_name, "site": device.site_name or "", "capacity": device.capacity},
        )
        devices.append(row)
        types.setdefault(device.type_id, UsageRow(device.type_id, device.type_name)).add(row)
        sites.setdefault(device.site_id, UsageRow(device.site_id, device.site_name or "No site")).add(row)
        total.add(row)
    return UtilizationReport(
        start=calendar.start, end=calendar.end, devices=devices,
        types=sorted(types.values(), key=lambda r: r.name.casefold()),
        sites=sorted(sites.values(), key=lambda r: (r.id is None, r.name.casefold())),
        total=total,
    )

