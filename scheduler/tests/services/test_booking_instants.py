"""Booking times are instants: the three failures of the autumn clock change, and their neighbours.

Dublin repeats 01:00-02:00 on 31 Oct 2027 (00:00-01:00 UTC is 01:00-02:00 IST, 01:00-02:00 UTC is
01:00-02:00 GMT) and skips 01:00-02:00 on 28 Mar 2027. The API turns "...Z" into an aware time in
the lab's zone; before the fix those times were compared by their wall reading.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from core import clock
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler import booking_rules as rules
from scheduler.cart import Slot, preset_windows
from scheduler.choices import BookingStatus as S
from scheduler.models import Booking, BookingPolicy
from scheduler.services.booking import booking_extend, booking_request

DUBLIN = ZoneInfo("Europe/Dublin")
NOW = datetime(2027, 10, 25, 9, tzinfo=UTC)
BOOKINGS = "/api/scheduler/bookings/"
GROUPS = "/api/scheduler/booking-groups/"


def utc(day, hour, minute=0):
    return datetime(2027, 10, day, hour, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _autumn():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def single(db):
    """A capacity-1 device that confirms at once (the worst case: nothing waits for a manager)."""
    kind = DeviceTypeFactory(name="Switch", default_capacity=1, requires_approval=False)
    return DeviceFactory(name="Polatis 1", device_type=kind)


@pytest.fixture
def quarter_hours(db):
    policy = BookingPolicy.load()
    policy.slot_minutes = 15
    policy.save()
    return policy


def test_items_sharing_an_instant_in_the_repeated_hour_are_refused(member_client, single, quarter_hours):
    """00:30-00:45 UTC lies inside 00:00-01:30 UTC; on the wall they read 01:30-01:45 and 01:00-01:30."""
    items = [{"device": single.pk, "start": "2027-10-31T00:00:00Z", "end": "2027-10-31T01:30:00Z"},
             {"device": single.pk, "start": "2027-10-31T00:30:00Z", "end": "2027-10-31T00:45:00Z"}]
    response = member_client.post(GROUPS, {"items": items}, format="json")
    assert response.status_code == 409, response.content
    assert [c["reason"] for c in response.json()["conflicts"]] == ["own_overlap"]
    assert not Booking.objects.exists()


def test_second_user_in_the_repeated_hour_is_refused_for_capacity(member_client, other_client, single, quarter_hours):
    """The same overlap split over two users' requests: the second is over capacity."""
    first = member_client.post(BOOKINGS, {"device": single.pk, "start": "2027-10-31T00:00:00Z",
                                          "end": "2027-10-31T01:30:00Z"}, format="json")
    assert first.status_code == 201, first.content
    second = other_client.post(BOOKINGS, {"device": single.pk, "start": "2027-10-31T00:30:00Z",
                                          "end": "2027-10-31T00:45:00Z"}, format="json")
    assert second.status_code == 409, second.content
    assert second.json()["conflicts"][0]["reason"] == "capacity"
    assert Booking.objects.filter(status=S.CONFIRMED).count() == 1


def test_items_sharing_no_instant_are_both_accepted(member_client, single):
    """23:30-00:30 and 01:00-01:30 UTC read 00:30-01:30 IST and 01:00-01:30 GMT: disjoint instants."""
    items = [{"device": single.pk, "start": "2027-10-30T23:30:00Z", "end": "2027-10-31T00:30:00Z"},
             {"device": single.pk, "start": "2027-10-31T01:00:00Z", "end": "2027-10-31T01:30:00Z"}]
    response = member_client.post(GROUPS, {"items": items}, format="json")
    assert response.status_code == 201, response.content
    assert Booking.objects.filter(status=S.CONFIRMED).count() == 2


def test_the_hour_that_reads_one_to_one_is_a_booking_of_one_hour(member_client, single):
    """00:00-01:00 UTC reads 01:00 IST -> 01:00 GMT: one hour, not an end before its start."""
    response = member_client.post(BOOKINGS, {"device": single.pk, "start": "2027-10-31T00:00:00Z",
                                             "end": "2027-10-31T01:00:00Z"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["start"], body["end"]) == ("2027-10-31T01:00:00+01:00", "2027-10-31T01:00:00Z")


def test_service_input_in_the_lab_zone_is_compared_as_instants(member, single):
    """Aware times sharing the lab's tzinfo (what DRF and forms hand over) reach the rows as UTC."""
    start = utc(31, 0).astimezone(DUBLIN)
    end = utc(31, 1).astimezone(DUBLIN)
    group = booking_request(requester=member, items=[{"device": single, "start": start, "end": end}])
    booking = group.created_bookings[0]
    assert booking.start.tzinfo is UTC and booking.end - booking.start == timedelta(hours=1)


def test_extension_across_the_repeated_hour_counts_real_time(member, single):
    """Extending a booking ending 01:00 IST to 01:00 GMT adds an hour; it is not 'not after the end'."""
    kind = single.device_type
    kind.requires_approval = True
    kind.save()
    group = booking_request(requester=member, items=[{"device": single, "start": utc(30, 22), "end": utc(31, 0)}])
    booking = booking_extend(booking=group.created_bookings[0], actor=member, end=utc(31, 1).astimezone(DUBLIN))
    booking.refresh_from_db()
    assert booking.end == utc(31, 1)


def test_wall_clock_reads_the_first_of_a_repeated_time_and_refuses_a_skipped_one():
    assert rules.wall_clock(date(2027, 10, 31), time(1, 30), DUBLIN) == utc(31, 0, 30)
    with pytest.raises(ValueError, match="2027-03-28 01:30 does not exist in Europe/Dublin"):
        rules.wall_clock(date(2027, 3, 28), time(1, 30), DUBLIN)


def test_cart_windows_are_instants_and_a_skipped_time_is_named(db):
    """Custom hours 01:30-03:00 cannot be placed on 28 Mar: an error naming the time, no silent shift."""
    with pytest.raises(ValueError, match="01:30 does not exist"):
        preset_windows(first=date(2027, 3, 27), last=date(2027, 3, 28), preset="custom",
                       start_time=time(1, 30), end_time=time(3))
    (start, end), = preset_windows(first=date(2027, 10, 30), last=date(2027, 10, 30), preset="all_day")
    assert (start, end) == (utc(30, 6), utc(31, 7))  # 07:00 IST to 07:00 GMT: 25 hours
    assert Slot("night", "night", time(18), time(7)).window(date(2027, 10, 30))[1] - utc(30, 17) == timedelta(hours=14)


def test_cart_page_names_the_skipped_time(member, single):
    """The range form answers with the time it cannot place and adds nothing."""
    web = Client()
    web.force_login(member)
    response = web.post(reverse("cart-add-range"), {"devices": [single.pk], "first_day": "2027-03-28", "last_day": "2027-03-28",
                                             "preset": "custom", "start_time": "01:30", "end_time": "03:00"},
                        follow=True)
    assert "2027-03-28 01:30 does not exist in Europe/Dublin" in response.content.decode()
    assert not web.session.get("booking_cart", {}).get("items")
