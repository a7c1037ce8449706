"""API of the read side: availability, next slot, schedule, access check, favorites."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import clock
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory
from scheduler.models import Booking, BookingGroup, BookingPolicy, Favorite
from scheduler.tests.factories import BookingFactory, BookingGroupFactory, MaintenanceWindowFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 1, 9, 10, tzinfo=UTC)
BASE = "/api/scheduler"


@pytest.fixture(autouse=True)
def _frozen_now():
    with clock.frozen(NOW):
        yield


def _queries(client, method, url, data=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data, format="json") if data is not None else getattr(client, method)(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _bulk_bookings(devices, count, start=datetime(2026, 6, 2, 0, tzinfo=UTC)):
    """`count` one-hour bookings spread over `devices` and over the week from `start`."""
    group = BookingGroupFactory()
    statuses = ["confirmed", "pending", "conflicting", "cancelled"]
    Booking.objects.bulk_create(
        Booking(
            group=group,
            device=devices[i % len(devices)],
            start=start + timedelta(hours=i % 150),
            end=start + timedelta(hours=i % 150 + 1),
            status=statuses[i % len(statuses)],
            # Rows i and i + 150 share device and hour: distinct units (count stays under 300).
            unit=None if statuses[i % len(statuses)] == "cancelled" else 1 + i // 150,
        )
        for i in range(count)
    )


# --- permissions ---------------------------------------------------------------------------------

READ_URLS = [
    ("get", f"{BASE}/availability/?devices=1"),
    ("get", f"{BASE}/availability/next-slot/?devices=1&duration=60"),
    ("get", f"{BASE}/schedule/"),
    ("post", f"{BASE}/access-check/"),
    ("get", f"{BASE}/favorites/"),
    ("post", f"{BASE}/favorites/"),
]


@pytest.mark.parametrize("method,url", READ_URLS)
def test_anonymous_is_refused(anon_client, method, url):
    assert getattr(anon_client, method)(url).status_code in (401, 403)


def test_member_reads_everything(member_client):
    device = DeviceFactory()
    PortFactory(device=device, name="tf_1")
    assert member_client.get(f"{BASE}/availability/?devices={device.pk}").status_code == 200
    assert member_client.get(f"{BASE}/availability/next-slot/?devices={device.pk}&duration=60").status_code == 200
    assert member_client.get(f"{BASE}/schedule/").status_code == 200
    assert member_client.post(f"{BASE}/access-check/", {"ports": ["tf_1"]}, format="json").status_code == 200
    assert member_client.get(f"{BASE}/favorites/").status_code == 200


# --- availability --------------------------------------------------------------------------------


def test_availability_answer(member_client, other_member):
    device = DeviceFactory(name="roadm-1", device_type=DeviceTypeFactory(default_capacity=1))
    booking = BookingFactory(
        device=device, group=BookingGroupFactory(owner=other_member), status="confirmed",
        start=datetime(2026, 6, 1, 10, tzinfo=UTC), end=datetime(2026, 6, 1, 11, tzinfo=UTC),
    )
    MaintenanceWindowFactory(device=device, start=datetime(2026, 6, 1, 12, tzinfo=UTC), end=datetime(2026, 6, 1, 13, tzinfo=UTC))
    response = member_client.get(f"{BASE}/availability/?devices={device.pk}&start=2026-06-01T09:00&end=2026-06-01T15:00")
    assert response.status_code == 200
    body = response.json()
    assert body["start"] == "2026-06-01T09:00:00+01:00"  # naive input read in Europe/Dublin
    (entry,) = body["devices"]
    assert entry["id"] == device.pk and entry["name"] == "roadm-1" and entry["capacity"] == 1
    assert entry["device_bookable"] is True
    assert entry["busy"] == [{
        "booking": booking.pk, "start": "2026-06-01T11:00:00+01:00", "end": "2026-06-01T12:00:00+01:00",
        "status": "confirmed", "owner": {"id": other_member.pk, "username": "other"},
    }]
    assert entry["maintenance"][0]["start"] == "2026-06-01T13:00:00+01:00"
    assert [(i["start"][11:16], i["end"][11:16]) for i in entry["free"]] == [("09:00", "11:00"), ("12:00", "13:00"), ("14:00", "15:00")]
    assert entry["bookable"] == entry["free"]


def test_availability_accepts_an_unencoded_plus_offset(member_client):
    """`+02:00` typed into a URL arrives as ` 02:00`; it still means +02:00."""
    device = DeviceFactory()
    body = member_client.get(f"{BASE}/availability/?devices={device.pk}&start=2026-06-01T09:00+02:00&end=2026-06-01T10:00%2B02:00").json()
    assert body["start"] == "2026-06-01T08:00:00+01:00"
    assert body["end"] == "2026-06-01T09:00:00+01:00"


def test_availability_defaults_to_a_week_from_now(member_client):
    device = DeviceFactory()
    body = member_client.get(f"{BASE}/availability/?devices={device.pk}").json()
    assert body["start"] == "2026-06-01T10:10:00+01:00"
    assert body["end"] == "2026-06-08T10:10:00+01:00"


@pytest.mark.parametrize(
    "query,field",
    [
        ("", "devices"),
        ("devices=", "devices"),
        ("devices=a,b", "devices"),
        ("devices=1;DROP", "devices"),
        ("devices=99999999999999999999999", "devices"),
        ("devices={ok}&start=yesterday", "start"),
        ("devices={ok}&start=2026-06-02T00:00&end=2026-06-01T00:00", "end"),
        ("devices={ok}&start=2026-06-01T00:00&end=2026-06-01T00:00", "end"),
        ("devices={ok}&start=2026-06-01T00:00&end=2026-07-03T00:00", "end"),
        ("devices={ok}&start=2026-03-29T01:30", "start"),  # does not exist in Dublin
    ],
)
def test_availability_bad_input_is_400(member_client, query, field):
    device = DeviceFactory()
    response = member_client.get(f"{BASE}/availability/?" + query.format(ok=device.pk))
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_availability_names_unknown_devices(member_client):
    device = DeviceFactory()
    response = member_client.get(f"{BASE}/availability/?devices={device.pk},{device.pk + 100},{device.pk + 101}")
    assert response.status_code == 400
    assert response.json() == {"devices": [f"No device with id {device.pk + 100}, {device.pk + 101}."]}


def test_availability_query_count_is_constant(member_client):
    """5 vs 50 devices, 10 vs 200 bookings: the same number of queries."""
    few = DeviceFactory.create_batch(5)
    many = DeviceFactory.create_batch(50)
    _bulk_bookings(few, 10)
    _bulk_bookings(many, 200)

    def url(devices):
        return f"{BASE}/availability/?devices={','.join(str(d.pk) for d in devices)}&start=2026-06-01T00:00&end=2026-06-08T00:00"

    small, large = _queries(member_client, "get", url(few)), _queries(member_client, "get", url(many))
    assert small == large <= 3


# --- next slot -----------------------------------------------------------------------------------


def test_next_slot_answer_and_none(member_client):
    device = DeviceFactory()
    BookingFactory(device=device, start=datetime(2026, 6, 1, 9, 30, tzinfo=UTC), end=datetime(2026, 6, 1, 11, tzinfo=UTC))
    body = member_client.get(f"{BASE}/availability/next-slot/?devices={device.pk}&duration=120").json()
    assert body == {"start": "2026-06-01T12:00:00+01:00", "end": "2026-06-01T14:00:00+01:00", "duration": 120, "devices": [device.pk]}
    retired = DeviceFactory(status="retired")
    body = member_client.get(f"{BASE}/availability/next-slot/?devices={device.pk},{retired.pk}&duration=60").json()
    assert body["start"] is None and body["end"] is None


@pytest.mark.parametrize("query", ["duration=45", "duration=0", "duration=x", "duration=30300", "", "duration=60&after=soon"])
def test_next_slot_bad_input_is_400(member_client, query):
    device = DeviceFactory()
    response = member_client.get(f"{BASE}/availability/next-slot/?devices={device.pk}&{query}")
    assert response.status_code == 400, response.content


def test_next_slot_query_count_is_constant(member_client):
    few, many = DeviceFactory.create_batch(5), DeviceFactory.create_batch(50)
    _bulk_bookings(few, 10)
    _bulk_bookings(many, 200)

    def url(devices):
        return f"{BASE}/availability/next-slot/?devices={','.join(str(d.pk) for d in devices)}&duration=240"

    assert _queries(member_client, "get", url(few)) == _queries(member_client, "get", url(many)) <= 5


# --- schedule ------------------------------------------------------------------------------------


def test_schedule_answer(member_client, other_member):
    device = DeviceFactory(name="tf-1")
    booking = BookingFactory(
        device=device, group=BookingGroupFactory(owner=other_member), status="pending",
        start=datetime(2026, 10, 25, 10, tzinfo=UTC), end=datetime(2026, 10, 25, 12, tzinfo=UTC),
    )
    body = member_client.get(f"{BASE}/schedule/?start=2026-10-25&days=1").json()
    assert body["start"] == "2026-10-25T00:00:00+01:00"
    assert body["end"] == "2026-10-26T00:00:00Z"
    assert body["timezone"] == "Europe/Dublin"
    (entry,) = body["devices"]
    assert entry["device_type"] == {"id": device.device_type_id, "name": device.device_type.name}
    assert (entry["capacity"], entry["status"], entry["bookable"], entry["site"]) == (2, "available", True, None)
    assert entry["bookings"] == [{
        "id": booking.pk, "start": "2026-10-25T10:00:00Z", "end": "2026-10-25T12:00:00Z",
        "status": "pending", "owner": {"id": other_member.pk, "username": "other"}, "group": booking.group_id,
    }]
    assert entry["maintenance"] == []


def test_schedule_defaults_to_this_week(member_client):
    body = member_client.get(f"{BASE}/schedule/").json()
    assert body["start"] == "2026-06-01T00:00:00+01:00"
    assert body["end"] == "2026-06-08T00:00:00+01:00"


@pytest.mark.parametrize("query", ["start=2026-13-01", "start=monday", "days=0", "days=32", "days=x", "device_type=x", "site=-1", "tag=a",
                                   "start=9999-12-25&days=7", "start=9999-12-31&days=1"])
def test_schedule_bad_input_is_400(member_client, query):
    assert member_client.get(f"{BASE}/schedule/?{query}").status_code == 400


def test_schedule_query_count_is_constant(member_client):
    """5 vs 50 devices and 10 vs 200 bookings cost the same number of queries, with and without filters."""
    kind = DeviceTypeFactory(name="ROADM")
    DeviceFactory.create_batch(5, device_type=kind)
    small_all = _queries(member_client, "get", f"{BASE}/schedule/?start=2026-06-01")
    small_filtered = _queries(member_client, "get", f"{BASE}/schedule/?start=2026-06-01&q=roadm,10.0&device_type={kind.pk}")
    devices = DeviceFactory.create_batch(45, device_type=kind)
    _bulk_bookings(devices, 200)
    assert _queries(member_client, "get", f"{BASE}/schedule/?start=2026-06-01") == small_all <= 3
    assert _queries(member_client, "get", f"{BASE}/schedule/?start=2026-06-01&q=roadm,10.0&device_type={kind.pk}") == small_filtered <= 3


# --- access check --------------------------------------------------------------------------------


def test_access_check_answer(member_client, other_member):
    device = DeviceFactory(name="roadm-10")
    PortFactory(device=device, name="roadm_10_p2")
    BookingFactory(
        device=device, group=BookingGroupFactory(owner=other_member), status="confirmed",
        start=datetime(2026, 6, 1, 9, tzinfo=UTC), end=datetime(2026, 6, 1, 10, tzinfo=UTC),
    )
    response = member_client.post(f"{BASE}/access-check/", {"patches": [["ROADM_10_P2", "NULL"], ["x_1", "null"]]}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "allowed": False,
        "at": "2026-06-01T10:10:00+01:00",
        "ports": [{"port": "roadm_10_p2", "device": {"id": device.pk, "name": "roadm-10", "status": "available"}, "holders": ["other"], "usable": False,
                   "maintenance_until": None, "reason": "held by other"}],
        "unknown": ["x_1"],
    }
    later = member_client.post(f"{BASE}/access-check/", {"ports": ["roadm_10_p2"], "at": "2026-06-01T11:00"}, format="json")
    assert later.json()["allowed"] is True


def test_access_check_during_maintenance(member_client, manager_client):
    """Over HTTP: a member is refused with "maintenance until …"; a lab manager may use the port."""
    device = DeviceFactory(name="roadm-10")
    PortFactory(device=device, name="roadm_10_p2")
    MaintenanceWindowFactory(device=device, start=datetime(2026, 6, 1, 9, tzinfo=UTC), end=datetime(2026, 6, 1, 12, tzinfo=UTC))
    body = {"ports": ["roadm_10_p2"], "at": "2026-06-01T11:00"}
    answer = member_client.post(f"{BASE}/access-check/", body, format="json").json()
    assert answer["allowed"] is False
    assert answer["ports"][0]["maintenance_until"] == "2026-06-01T13:00:00+01:00"
    assert answer["ports"][0]["reason"].startswith("maintenance until 13:00 on 1 Jun 2026 (Europe/Dublin)")
    answer = manager_client.post(f"{BASE}/access-check/", body, format="json").json()
    assert (answer["allowed"], answer["ports"][0]["reason"]) == (True, "")


def test_access_check_ignores_identity_in_the_body(member_client, other_member):
    """Only request.user counts; a `user` field in the body changes nothing."""
    device = DeviceFactory()
    PortFactory(device=device, name="tf_1")
    BookingFactory(device=device, group=BookingGroupFactory(owner=other_member), status="confirmed",
                   start=datetime(2026, 6, 1, 9, tzinfo=UTC), end=datetime(2026, 6, 1, 10, tzinfo=UTC))
    body = {"ports": ["tf_1"], "user": "other", "username": "other", "user_id": other_member.pk}
    assert member_client.post(f"{BASE}/access-check/", body, format="json").json()["allowed"] is False


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"patches": "tf_1"},
        {"patches": ["tf_1", "tf_2"]},
        {"patches": [["tf_1"]]},
        {"patches": [[1, 2]]},
        {"patches": [["tf_1", None]]},
        {"patches": [["tf_1", ""]]},
        {"patches": [{"a": "b"}]},
        {"ports": "tf_1"},
        {"ports": [["tf_1"]]},
        {"ports": ["tf_1"], "at": "noon"},
        {"ports": ["x" * 101]},
    ],
)
def test_access_check_bad_input_is_400(member_client, body):
    assert member_client.post(f"{BASE}/access-check/", body, format="json").status_code == 400


def test_access_check_writes_nothing(member_client):
    device = DeviceFactory()
    PortFactory(device=device, name="tf_1")
    with CaptureQueriesContext(connection) as ctx:
        member_client.post(f"{BASE}/access-check/", {"ports": ["tf_1"]}, format="json")
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in ctx.captured_queries)


# --- favorites -----------------------------------------------------------------------------------


def test_favorites_crud_of_own(member_client, member):
    first, second = DeviceFactory(name="a-dev"), DeviceFactory(name="b-dev")
    created = member_client.post(f"{BASE}/favorites/", {"name": "Ring", "devices": [second.pk, first.pk]}, format="json")
    assert created.status_code == 201, created.content
    favorite_id = created.json()["id"]
    assert created.json()["devices"] == [{"id": first.pk, "name": "a-dev", "status": "available"}, {"id": second.pk, "name": "b-dev", "status": "available"}]
    assert member_client.get(f"{BASE}/favorites/").json()["count"] == 1
    renamed = member_client.patch(f"{BASE}/favorites/{favorite_id}/", {"name": "Ring 2"}, format="json")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Ring 2"
    assert len(renamed.json()["devices"]) == 2
    replaced = member_client.put(f"{BASE}/favorites/{favorite_id}/", {"name": "Ring 3", "devices": [first.pk]}, format="json")
    assert replaced.json()["devices"] == [{"id": first.pk, "name": "a-dev", "status": "available"}]
    assert member_client.delete(f"{BASE}/favorites/{favorite_id}/").status_code == 204
    assert not Favorite.objects.filter(owner=member).exists()


def test_others_favorites_are_404(member_client, other_member):
    other_favorite = Favorite.objects.create(owner=other_member, name="theirs")
    other_favorite.devices.add(DeviceFactory())
    url = f"{BASE}/favorites/{other_favorite.pk}/"
    assert member_client.get(url).status_code == 404
    assert member_client.patch(url, {"name": "mine"}, format="json").status_code == 404
    assert member_client.delete(url).status_code == 404
    assert member_client.get(f"{BASE}/favorites/").json()["count"] == 0
    assert Favorite.objects.filter(pk=other_favorite.pk, name="theirs").exists()


@pytest.mark.parametrize(
    "body", [{}, {"name": "x"}, {"name": "x", "devices": []}, {"name": "x", "devices": [999999]}, {"name": "", "devices": [1]},
             {"name": "x", "devices": "1"}, {"name": "x" * 101, "devices": [1]}],
)
def test_favorite_bad_input_is_400(member_client, body):
    assert member_client.post(f"{BASE}/favorites/", body, format="json").status_code == 400


def test_favorite_names_unknown_devices(member_client):
    device = DeviceFactory()
    response = member_client.post(f"{BASE}/favorites/", {"name": "x", "devices": [device.pk, device.pk + 7]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"devices": [f"No device with id {device.pk + 7}."]}


def test_favorite_create_query_count_does_not_grow_with_devices(member_client, django_assert_max_num_queries):
    devices = DeviceFactory.create_batch(40)
    with django_assert_max_num_queries(12):
        response = member_client.post(f"{BASE}/favorites/", {"name": "all", "devices": [d.pk for d in devices]}, format="json")
    assert response.status_code == 201
    assert len(response.json()["devices"]) == 40


def test_favorite_duplicate_name_is_400(member_client):
    device = DeviceFactory()
    member_client.post(f"{BASE}/favorites/", {"name": "Ring", "devices": [device.pk]}, format="json")
    response = member_client.post(f"{BASE}/favorites/", {"name": "Ring", "devices": [device.pk]}, format="json")
    assert response.status_code == 400
    assert "already have a favorite" in response.json()["detail"]


def test_favorites_list_query_count_is_constant(member_client, member, django_assert_max_num_queries):
    devices = DeviceFactory.create_batch(10)
    for i in range(20):
        favorite = Favorite.objects.create(owner=member, name=f"f{i}")
        favorite.devices.set(devices)
    with django_assert_max_num_queries(3):
        assert member_client.get(f"{BASE}/favorites/").status_code == 200


def test_no_get_changes_data(member_client):
    """Reading availability and the schedule leaves bookings whose end has passed untouched (no lazy expiry)."""
    device = DeviceFactory()
    stale = BookingFactory(device=device, status="pending", start=NOW - timedelta(days=2), end=NOW - timedelta(days=1))
    member_client.get(f"{BASE}/availability/?devices={device.pk}&start=2026-05-30T00:00&end=2026-06-02T00:00")
    member_client.get(f"{BASE}/schedule/?start=2026-05-30")
    member_client.get(f"{BASE}/availability/next-slot/?devices={device.pk}&duration=60")
    stale.refresh_from_db()
    assert stale.status == "pending"
    assert BookingGroup.objects.count() == 1
    assert not BookingPolicy.objects.exists()  # the defaults are read, not saved
