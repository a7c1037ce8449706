"""Interval maths, availability and next slot."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from core import clock
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler.models import BookingPolicy
from scheduler.selectors.availability import (
    availability_for,
    availability_next_slot,
    depth_segments,
    grid_ceil,
    intervals_merge,
    intervals_subtract,
)
from scheduler.tests.factories import BookingFactory, MaintenanceWindowFactory

DUBLIN = ZoneInfo("Europe/Dublin")


def at(hour, minute=0, day=1, month=6, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def spans(pairs):
    return [(at(a), at(b)) for a, b in pairs]


# --- pure maths ----------------------------------------------------------------------------------


def test_merge_joins_touching_and_overlapping_spans():
    """Back-to-back spans join into one; overlapping ones too; order does not matter."""
    assert intervals_merge(spans([(12, 14), (8, 10), (10, 11), (13, 15)])) == spans([(8, 11), (12, 15)])


def test_subtract_cuts_holes():
    """Holes remove their part of each span, including holes at the edges."""
    result = intervals_subtract(spans([(8, 18)]), spans([(7, 9), (10, 11), (17, 20)]))
    assert result == spans([(9, 10), (11, 17)])


def test_depth_back_to_back_is_not_an_overlap():
    """Two bookings where one ends as the other starts never reach depth 2."""
    segments = depth_segments(spans([(8, 10), (10, 12)]), at(6), at(14))
    assert max(depth for _, _, depth in segments) == 1
    assert segments == [(at(6), at(8), 0), (at(8), at(12), 1), (at(12), at(14), 0)]


def test_depth_is_not_a_count():
    """Three bookings overlapping a window, but never more than two at one instant, have depth 2."""
    segments = depth_segments(spans([(8, 10), (9, 12), (11, 13)]), at(8), at(13))
    assert max(depth for _, _, depth in segments) == 2
    assert [(s.hour, e.hour, d) for s, e, d in segments] == [(8, 9, 1), (9, 10, 2), (10, 11, 1), (11, 12, 2), (12, 13, 1)]


def test_depth_clips_to_the_window():
    segments = depth_segments(spans([(4, 9)]), at(8), at(10))
    assert segments == [(at(8), at(9), 1), (at(9), at(10), 0)]


def test_grid_ceil_rounds_up_in_wall_clock_time():
    """Times off the grid move up to the next slot; times on it stay."""
    assert grid_ceil(at(10, 0), 30, DUBLIN) == at(10, 0)
    assert grid_ceil(at(10, 1), 30, DUBLIN) == at(10, 30)
    assert grid_ceil(at(10, 0) + timedelta(seconds=1), 30, DUBLIN) == at(10, 30)


def test_grid_ceil_across_spring_forward():
    """A 90-minute grid counts from local midnight: on 29 Mar 2026 (23 h day) the slot after 00:30 is 03:00 IST."""
    result = grid_ceil(datetime(2026, 3, 29, 0, 30, tzinfo=UTC), 90, DUBLIN)
    assert result.astimezone(DUBLIN).strftime("%H:%M") == "03:00"
    assert result == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)


# --- availability_for ----------------------------------------------------------------------------


def _device(capacity=2, status="available", schedulable=True):
    device_type = DeviceTypeFactory(default_capacity=capacity, is_schedulable=schedulable)
    return DeviceFactory(device_type=device_type, status=status)


def _book(device, start, end, status="confirmed", owner=None):
    kwargs = {"group__owner": owner} if owner else {}
    return BookingFactory(device=device, start=start, end=end, status=status, **kwargs)


@pytest.mark.django_db
def test_capacity_one_device_is_not_bookable_where_booked():
    """With capacity 1, any active booking removes the interval from both free and bookable."""
    device = _device(capacity=1)
    _book(device, at(10), at(12))
    (result,) = availability_for(devices=[device], start=at(8), end=at(14))
    expected = [(at(8), at(10)), (at(12), at(14))]
    assert [(i.start, i.end) for i in result.free] == expected
    assert [(i.start, i.end) for i in result.bookable] == expected
    assert [(b.start, b.end, b.status) for b in result.busy] == [(at(10), at(12), "confirmed")]


@pytest.mark.django_db
def test_capacity_two_uses_depth_for_bookable():
    """With capacity 2, only instants where two bookings overlap are unbookable; free excludes any booking."""
    device = _device(capacity=2)
    _book(device, at(8), at(10))
    _book(device, at(9), at(12), status="pending")
    _book(device, at(11), at(13), status="conflicting")
    (result,) = availability_for(devices=[device], start=at(6), end=at(14))
    assert [(i.start, i.end) for i in result.bookable] == [(at(6), at(9)), (at(10), at(11)), (at(12), at(14))]
    assert [(i.start, i.end) for i in result.free] == [(at(6), at(8)), (at(13), at(14))]
    assert result.capacity == 2


@pytest.mark.django_db
def test_back_to_back_bookings_leave_capacity_two_bookable():
    device = _device(capacity=2)
    _book(device, at(8), at(10))
    _book(device, at(10), at(12))
    (result,) = availability_for(devices=[device], start=at(8), end=at(12))
    assert [(i.start, i.end) for i in result.bookable] == [(at(8), at(12))]
    assert result.free == []


@pytest.mark.django_db
def test_inactive_bookings_hold_nothing():
    """Rejected, cancelled and expired bookings neither appear as busy nor take capacity."""
    device = _device(capacity=1)
    for status in ("rejected", "cancelled", "expired"):
        _book(device, at(9), at(11), status=status)
    (result,) = availability_for(devices=[device], start=at(8), end=at(12))
    assert result.busy == []
    assert [(i.start, i.end) for i in result.bookable] == [(at(8), at(12))]


@pytest.mark.django_db
def test_maintenance_is_neither_free_nor_bookable():
    device = _device(capacity=2)
    MaintenanceWindowFactory(device=device, start=at(10), end=at(11), reason="fibre swap")
    (result,) = availability_for(devices=[device], start=at(8), end=at(12))
    assert [(i.start, i.end) for i in result.free] == [(at(8), at(10)), (at(11), at(12))]
    assert result.bookable == result.free
    assert [(m.start, m.end, m.reason) for m in result.maintenance] == [(at(10), at(11), "fibre swap")]


@pytest.mark.django_db
@pytest.mark.parametrize("status,schedulable", [("maintenance", True), ("retired", True), ("available", False)])
def test_unbookable_device_has_no_bookable_intervals(status, schedulable):
    device = _device(status=status, schedulable=schedulable)
    (result,) = availability_for(devices=[device], start=at(8), end=at(12))
    assert result.is_bookable is False
    assert result.bookable == []
    assert [(i.start, i.end) for i in result.free] == [(at(8), at(12))]


@pytest.mark.django_db
def test_device_capacity_override_wins():
    device = _device(capacity=2)
    device.capacity = 1
    device.save()
    _book(device, at(9), at(10))
    (result,) = availability_for(devices=[device], start=at(8), end=at(12))
    assert result.capacity == 1
    assert [(i.start, i.end) for i in result.bookable] == [(at(8), at(9)), (at(10), at(12))]


@pytest.mark.django_db
@pytest.mark.parametrize("day,hours", [(datetime(2026, 3, 29), 23), (datetime(2026, 10, 25), 25)])
def test_free_over_a_dst_day_spans_its_real_length(day, hours):
    """A lab-local day on a DST change is 23 or 25 hours long, and free time covers all of it."""
    device = _device()
    start = day.replace(tzinfo=DUBLIN)
    end = (day + timedelta(days=1)).replace(tzinfo=DUBLIN)
    (result,) = availability_for(devices=[device], start=start, end=end)
    (free,) = result.free
    assert free.end.astimezone(UTC) - free.start.astimezone(UTC) == timedelta(hours=hours)


# --- next slot -----------------------------------------------------------------------------------


@pytest.fixture
def policy(db):
    return BookingPolicy.load()


NOW = at(9, 10)


@pytest.mark.django_db
def test_next_slot_starts_at_the_next_grid_point_when_free(policy):
    devices = [_device(), _device()]
    with clock.frozen(NOW):
        assert availability_next_slot(devices=devices, duration=timedelta(hours=1), after=NOW) == (at(9, 30), at(10, 30))


@pytest.mark.django_db
def test_next_slot_needs_every_device_free(policy):
    """Any active booking on any of the devices blocks, whatever the capacity; back-to-back fits."""
    first, second = _device(capacity=2), _device(capacity=2)
    _book(first, at(9), at(11), status="pending")
    _book(second, at(12), at(13))
    with clock.frozen(NOW):
        slot = availability_next_slot(devices=[first, second], duration=timedelta(hours=2), after=NOW)
    assert slot == (at(13), at(15))
    with clock.frozen(NOW):
        slot = availability_next_slot(devices=[first, second], duration=timedelta(hours=1), after=NOW)
    assert slot == (at(11), at(12))


@pytest.mark.django_db
def test_next_slot_skips_maintenance_and_honours_after(policy):
    device = _device()
    MaintenanceWindowFactory(device=device, start=at(14), end=at(16))
    with clock.frozen(NOW):
        assert availability_next_slot(devices=[device], duration=timedelta(hours=1), after=at(14, 30)) == (at(16), at(17))


@pytest.mark.django_db
def test_next_slot_after_in_the_past_starts_now(policy):
    device = _device()
    with clock.frozen(NOW):
        assert availability_next_slot(devices=[device], duration=timedelta(minutes=30), after=at(1))[0] == at(9, 30)


@pytest.mark.django_db
def test_next_slot_none_beyond_horizon_or_for_unbookable_devices(policy):
    device = _device()
    _book(device, at(0), NOW + policy.horizon + timedelta(days=1))
    with clock.frozen(NOW):
        assert availability_next_slot(devices=[device], duration=timedelta(hours=1), after=NOW) is None
        assert availability_next_slot(devices=[_device(status="retired")], duration=timedelta(hours=1), after=NOW) is None
        late = NOW + policy.horizon + timedelta(hours=1)
        assert availability_next_slot(devices=[_device()], duration=timedelta(hours=1), after=late) is None


@pytest.mark.django_db
def test_next_slot_may_start_at_the_horizon(policy):
    """The last allowed start is now + horizon; the window may run past it."""
    device = _device()
    horizon_start = grid_ceil(NOW + policy.horizon - timedelta(minutes=30), 30, DUBLIN)
    _book(device, at(0), horizon_start)
    with clock.frozen(NOW):
        slot = availability_next_slot(devices=[device], duration=timedelta(days=2), after=NOW)
    assert slot == (horizon_start, horizon_start + timedelta(days=2))


def test_first_common_gap_keeps_the_end_on_the_grid_across_dst():
    """With 45-minute slots, a 45-minute window across the spring change must also end on the wall-clock grid."""
    from scheduler.selectors.availability import first_common_gap, is_on_grid

    earliest = datetime(2026, 3, 29, 0, 45, tzinfo=UTC)  # 00:45 GMT, on the grid
    slot = first_common_gap([], earliest=earliest, latest_start=earliest + timedelta(days=1),
                            duration=timedelta(minutes=45), slot_minutes=45, tz=DUBLIN)
    assert is_on_grid(slot[0], 45, DUBLIN) and is_on_grid(slot[1], 45, DUBLIN)
    assert slot[0] >= earliest
