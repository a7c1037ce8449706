"""The week-grid read model."""

from datetime import UTC, date, datetime, timedelta

import pytest

from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory, SiteFactory, TagFactory
from scheduler.selectors.schedule import schedule_for
from scheduler.tests.factories import BookingFactory, MaintenanceWindowFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day,hours", [(date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)])
def test_window_runs_local_midnight_to_local_midnight(day, hours):
    """One lab day is 23 h on the spring DST change, 25 h on the autumn one."""
    schedule = schedule_for(start=day, days=1)
    assert schedule.end.astimezone(UTC) - schedule.start.astimezone(UTC) == timedelta(hours=hours)
    assert schedule.start.strftime("%H:%M") == "00:00"


def test_week_around_autumn_change_is_169_hours():
    schedule = schedule_for(start=date(2026, 10, 19), days=7)
    assert schedule.end.astimezone(UTC) - schedule.start.astimezone(UTC) == timedelta(hours=169)


def test_holds_active_bookings_and_maintenance_overlapping_the_window():
    """Bookings that only touch the window's edges, and inactive ones, are left out."""
    device = DeviceFactory()
    schedule_start = datetime(2026, 6, 1, 0, 0, tzinfo=UTC) - timedelta(hours=1)  # local midnight (IST)
    inside = BookingFactory(device=device, start=schedule_start + timedelta(hours=8), end=schedule_start + timedelta(hours=10), status="confirmed")
    across = BookingFactory(device=device, start=schedule_start - timedelta(hours=2), end=schedule_start + timedelta(hours=1))
    BookingFactory(device=device, start=schedule_start - timedelta(hours=2), end=schedule_start)  # touches the edge
    BookingFactory(device=device, start=schedule_start + timedelta(hours=3), end=schedule_start + timedelta(hours=4), status="cancelled")
    window = MaintenanceWindowFactory(device=device, start=schedule_start + timedelta(hours=20), end=schedule_start + timedelta(days=3))
    schedule = schedule_for(start=date(2026, 6, 1), days=1)
    (entry,) = schedule.devices
    assert [b.id for b in entry.bookings] == [across.id, inside.id]
    assert entry.bookings[1].owner_username == inside.group.owner.username
    assert entry.bookings[1].group_id == inside.group_id
    assert [m.id for m in entry.maintenance] == [window.id]
    assert entry.capacity == 2


def test_filters_by_type_site_tag_and_search_terms():
    roadm_type, tf_type = DeviceTypeFactory(name="ROADM"), DeviceTypeFactory(name="TeraFlex")
    site = SiteFactory(name="Lab A")
    tag = TagFactory(name="core")
    DeviceFactory(name="roadm-1", device_type=roadm_type, site=site, mgmt_ip="10.0.0.7")
    tf = DeviceFactory(name="tf-1", device_type=tf_type)
    tf.tags.add(tag)
    other = DeviceFactory(name="osa-1", device_type=DeviceTypeFactory(name="OSA"))
    PortFactory(device=other, name="osa_in")
    PortFactory(device=other, name="osa_out")

    def names(**kwargs):
        return [e.device.name for e in schedule_for(start=date(2026, 6, 1), days=7, **kwargs).devices]

    assert names() == ["osa-1", "roadm-1", "tf-1"]
    assert names(device_type=roadm_type.pk) == ["roadm-1"]
    assert names(site=site.pk) == ["roadm-1"]
    assert names(tag=tag.pk) == ["tf-1"]
    assert names(q="terafl") == ["tf-1"]
    assert names(q="OSA_") == ["osa-1"]  # port label, any case, once despite two matching ports
    assert names(q="10.0.0") == ["roadm-1"]
    assert names(q="roadm-1, tf-1") == ["roadm-1", "tf-1"]
    assert names(q=" , ;") == ["osa-1", "roadm-1", "tf-1"]
    assert names(q="nothing") == []


def test_days_out_of_range_is_refused():
    with pytest.raises(ValueError):
        schedule_for(start=date(2026, 6, 1), days=32)


def test_devices_in_natural_order_within_each_type(django_assert_max_num_queries):
    """Numbers in names compare as numbers ("EDFA 2" before "EDFA 10"), per type, without extra queries."""
    amplifier, roadm = DeviceTypeFactory(name="EDFA"), DeviceTypeFactory(name="ROADM")
    for name in ["EDFA 10", "EDFA 2", "EDFA 1", "EDFA 11"]:
        DeviceFactory(name=name, device_type=amplifier)
    for name in ["ROADM 20", "ROADM 3"]:
        DeviceFactory(name=name, device_type=roadm)
    with django_assert_max_num_queries(3):
        schedule = schedule_for(start=date(2026, 6, 1), days=7)
    assert [e.device.name for e in schedule.devices] == ["EDFA 1", "EDFA 2", "EDFA 10", "EDFA 11", "ROADM 3", "ROADM 20"]
