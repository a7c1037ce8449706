"""Utilization figures pinned on a hand-built lab (see lab.py for the arithmetic)."""

from datetime import datetime

import pytest

from scheduler.selectors.insight.utilization import utilization_report
from scheduler.tests.insight.lab import DUBLIN, backdate_devices, book, build_day_lab, device, utc

pytestmark = pytest.mark.django_db


def test_utilization_per_device_type_and_site():
    """Across midnight, shared bookings on capacity 2, maintenance cutting a booking, a device retired mid-period."""
    roadm, osa1, osa2 = build_day_lab()
    report = utilization_report(start=utc(2, 0), end=utc(3, 0))
    rows = {r.name: (r.bookable_hours, r.confirmed_hours, r.pending_hours) for r in report.devices}
    assert rows == {"ROADM 1": (48, 8, 4), "OSA 1": (22, 2, 0), "OSA 2": (12, 4, 0)}
    types = {r.name: (r.bookable_hours, r.confirmed_hours, r.pending_hours, r.devices) for r in report.types}
    assert types == {"ROADM": (48, 8, 4, 1), "OSA": (34, 6, 0, 2)}
    sites = {r.name: (r.bookable_hours, r.confirmed_hours) for r in report.sites}
    assert sites == {"Main lab": (70, 10), "Annex": (12, 4)}
    assert report.total.bookable_hours == 82 and report.total.confirmed_hours == 14
    assert next(r for r in report.devices if r.name == "ROADM 1").utilization == pytest.approx(8 / 48)


def test_utilization_filtered_by_type_and_site():
    build_day_lab()
    osa = utilization_report(start=utc(2, 0), end=utc(3, 0), device_type=device_type_id("OSA"))
    assert [(r.name, r.confirmed_hours) for r in osa.devices] == [("OSA 1", 2), ("OSA 2", 4)]


def device_type_id(name):
    from inventory.models import DeviceType

    return DeviceType.objects.get(name=name).pk


def test_utilization_across_the_spring_dst_change():
    """Sun 29 Mar 2026 in Dublin lasts 23 hours; a booking from local 00:00 to 07:00 lasts 6 hours."""
    amp = device("EDFA 1", "EDFA", 1)
    backdate_devices()
    day_start = datetime(2026, 3, 29, 0, 0, tzinfo=DUBLIN)
    book(amp, day_start, datetime(2026, 3, 29, 7, 0, tzinfo=DUBLIN))
    report = utilization_report(start=day_start, end=datetime(2026, 3, 30, 0, 0, tzinfo=DUBLIN))
    assert (report.devices[0].bookable_hours, report.devices[0].confirmed_hours) == (23, 6)


def test_device_created_mid_period_counts_from_its_creation():
    from inventory.models import Device

    amp = device("EDFA 2", "EDFA", 1)
    Device.objects.filter(pk=amp.pk).update(created_at=utc(2, 6))
    report = utilization_report(start=utc(2, 0), end=utc(3, 0))
    assert report.devices[0].bookable_hours == 18
