"""A hand-built lab whose figures are worked out by hand in the tests' docstrings."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from inventory.choices import DeviceStatus, HistoryAction
from inventory.models import Device, DeviceHistory
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, SiteFactory
from scheduler.tests.factories import BookingFactory, BookingGroupFactory, MaintenanceWindowFactory

DUBLIN = ZoneInfo("Europe/Dublin")
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def utc(day, hour, month=12, year=2026, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def book(device, start, end, status="confirmed", owner=None):
    group = BookingGroupFactory(owner=owner) if owner else BookingGroupFactory()
    return BookingFactory(group=group, device=device, start=start, end=end, status=status)


def device(name, type_name, capacity, site=None, ports=0, **kwargs):
    from inventory.models import Port

    d = DeviceFactory(name=name, device_type=DeviceTypeFactory(name=type_name, default_capacity=capacity),
                      site=SiteFactory(name=site) if site else None, **kwargs)
    for n in range(ports):
        Port.objects.create(device=d, name=f"{name.replace(' ', '_').lower()}_p{n}")
    return d


def backdate_devices():
    """Devices existed long before the periods the tests look at."""
    Device.objects.update(created_at=LONG_AGO)


def retire(d, at):
    """Record that `d` was retired at `at` (history row as the device service writes it)."""
    Device.objects.filter(pk=d.pk).update(status=DeviceStatus.RETIRED)
    row = DeviceHistory.objects.create(device=d, device_name=d.name, action=HistoryAction.UPDATED, field="status",
                                       old_value="available", new_value="retired")
    DeviceHistory.objects.filter(pk=row.pk).update(created_at=at)


def maintenance(d, start, end):
    return MaintenanceWindowFactory(device=d, start=start, end=end)


def build_day_lab():
    """Wed 2 Dec 2026 (Dublin = UTC in winter), period 00:00–24:00.

    ROADM 1 (cap 2): confirmed 1 Dec 22:00 → 2 Dec 04:00 (across midnight: 4 h inside);
      pending 10–14 and confirmed 12–16, overlapping (shared): 4 h pending, 4 h confirmed.
      → bookable 24 × 2 = 48 h; confirmed 8 h; pending 4 h.
    OSA 1 (cap 1): confirmed 09–13, maintenance 10–12 cuts it → 2 h booked; bookable 22 h.
    OSA 2 (cap 1, Annex): retired at 12:00; confirmed 08–16 → 4 h booked; bookable 12 h.
      A cancelled booking 14–15 on OSA 1 counts nothing.
    """
    roadm = device("ROADM 1", "ROADM", 2, site="Main lab", ports=4)
    osa1 = device("OSA 1", "OSA", 1, site="Main lab")
    osa2 = device("OSA 2", "OSA", 1, site="Annex")
    backdate_devices()
    book(roadm, utc(1, 22), utc(2, 4))
    book(roadm, utc(2, 10), utc(2, 14), status="pending")
    book(roadm, utc(2, 12), utc(2, 16))
    book(osa1, utc(2, 9), utc(2, 13))
    book(osa1, utc(2, 14), utc(2, 15), status="cancelled")
    maintenance(osa1, utc(2, 10), utc(2, 12))
    book(osa2, utc(2, 8), utc(2, 16))
    retire(osa2, utc(2, 12))
    return roadm, osa1, osa2
