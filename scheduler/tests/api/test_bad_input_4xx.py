"""Bad input found by fuzzing (schemathesis, a page fuzzer): dates outside the calendar, ids beyond the id
range, NUL characters. Each is a 4xx naming the problem and changes nothing, never a 500."""

import pytest

from scheduler.models import Booking, BookingGroup, MaintenanceWindow
from scheduler.tests.factories import BookingFactory, BookingGroupFactory
from scheduler.validators import OUT_OF_RANGE_MESSAGE

pytestmark = pytest.mark.usefixtures("now")
BASE = "/api/scheduler"


@pytest.mark.parametrize("url", [
    f"{BASE}/schedule/?start=9999-12-30",  # + 7 days overflowed: OverflowError, 500
    f"{BASE}/schedule/?start=0001-01-01",  # answered "-00:25:21" offsets no ISO 8601 client reads
    f"{BASE}/availability/?devices={{roadm}}&start=9999-12-31T23:00",  # default end overflowed: 500
    f"{BASE}/availability/?devices={{roadm}}&start=0001-01-01T00:00&end=0001-01-01T03:00",
    f"{BASE}/availability/next-slot/?devices={{roadm}}&duration=60&after=9999-12-31T23:00",
])
def test_out_of_range_query_dates_are_400(member_client, roadm, url):
    """A query day or moment before 2000 or after 2099 is refused with the allowed range."""
    response = member_client.get(url.format(roadm=roadm.pk))
    assert response.status_code == 400, response.content
    assert OUT_OF_RANGE_MESSAGE in str(response.json())


def test_rebook_far_in_the_future_is_400_and_saves_nothing(member_client, member, roadm):
    """Rebooking at 9999-12-31 23:30 overflowed while shifting the bookings (500); now a 400, nothing saved."""
    group = BookingGroupFactory(owner=member)
    BookingFactory(group=group, device=roadm, status="confirmed")
    groups, bookings = BookingGroup.objects.count(), Booking.objects.count()
    response = member_client.post(f"{BASE}/booking-groups/{group.pk}/rebook/", {"start": "9999-12-31T23:30:00Z"})
    assert response.status_code == 400, response.content
    assert response.json() == {"start": [OUT_OF_RANGE_MESSAGE]}
    assert (BookingGroup.objects.count(), Booking.objects.count()) == (groups, bookings)


@pytest.mark.parametrize("start,end", [("0001-01-01T00:00:00", "0001-01-01T02:00:00"),
                                       ("9999-12-31T22:00:00Z", "9999-12-31T23:30:00Z")])
def test_maintenance_outside_the_calendar_is_400(manager_client, roadm, start, end):
    """A maintenance window in year 1 or 9999 was saved (and read back with a -00:25:21 offset); now 400."""
    response = manager_client.post(f"{BASE}/maintenance-windows/", {"device": roadm.pk, "start": start, "end": end})
    assert response.status_code == 400, response.content
    assert not MaintenanceWindow.objects.exists()


def test_booking_outside_the_calendar_is_400(member_client, roadm):
    """Booking input uses the same range."""
    response = member_client.post(f"{BASE}/bookings/", {"device": roadm.pk, "start": "2100-01-01T08:00:00Z",
                                                        "end": "2100-01-01T10:00:00Z"})
    assert response.status_code == 400
    assert response.json() == {"start": [OUT_OF_RANGE_MESSAGE], "end": [OUT_OF_RANGE_MESSAGE]}


HUGE = "99999999999999999999"


def test_schedule_filter_ids_beyond_the_id_range_are_400(member_client):
    """A 20-digit type, site or tag id overflowed SQLite's INTEGER (500); now a 400 naming the limit."""
    response = member_client.get(f"{BASE}/schedule/?device_type={HUGE}&site={HUGE}&tag={HUGE}")
    assert response.status_code == 400
    assert set(response.json()) == {"device_type", "site", "tag"}


def test_favorite_device_ids_beyond_the_id_range_are_400(member_client):
    """The same for the device ids of a favorite."""
    response = member_client.post(f"{BASE}/favorites/", {"name": "x", "devices": [int(HUGE)]}, format="json")
    assert response.status_code == 400
    assert "devices" in response.json()


@pytest.mark.parametrize("query", ["end=2809-02-16T15:07:14.83093%2B16:25", "start=2026-12-01T10:00-16:30",
                                   "start=9999-12-31T23:00-16:00", "end=0001-01-01T00:00%2B01:00"])
@pytest.mark.parametrize("resource", ["bookings", "maintenance-windows"])
def test_window_filters_with_extreme_offsets_are_answered(member_client, resource, query):
    """An offset beyond ±15:59 reached PostgreSQL as is (DataError, 500); moments are now compared in UTC
    and one that leaves the calendar in UTC is a 400."""
    response = member_client.get(f"{BASE}/{resource}/?{query}")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert set(response.json()) <= {"start", "end"}


def test_next_slot_refuses_non_ascii_digits(member_client, roadm):
    """"²" passed str.isdigit() and then failed int() (500); now the usual 400."""
    response = member_client.get(f"{BASE}/availability/next-slot/?devices=%C2%B2&duration=60")
    assert response.status_code == 400
    assert "devices" in response.json()
