"""Booking and session endpoints: shapes, rules as HTTP answers, bad input, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory
from scheduler.choices import BookingStatus as S
from scheduler.models import Booking, BookingGroup
from scheduler.services.booking import booking_request
from scheduler.tests.conftest import at
from scheduler.tests.factories import MaintenanceWindowFactory

pytestmark = pytest.mark.usefixtures("now")

BOOKINGS = "/api/scheduler/bookings/"
GROUPS = "/api/scheduler/booking-groups/"


def test_create_booking(member_client, member, roadm):
    """POST bookings/ creates a session of one; identity comes from the request; times carry offsets."""
    response = member_client.post(BOOKINGS, {"device": roadm.pk, "start": "2026-12-02T10:00:00Z",
                                             "end": "2026-12-02T12:00:00+00:00", "message": "OSNR"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["owner"] == {"id": member.pk, "username": "member"}
    assert body["device"] == {"id": roadm.pk, "name": "ROADM 3", "device_type": "ROADM"}
    assert body["start"] == "2026-12-02T10:00:00Z"
    assert BookingGroup.objects.get(pk=body["group"]).message == "OSNR"


def test_summer_times_carry_plus_one(member_client, roadm):
    """A naive time in July is read as Dublin time and answered with +01:00."""
    from datetime import UTC, datetime

    from core import clock

    with clock.frozen(datetime(2026, 6, 30, 9, tzinfo=UTC)):
        response = member_client.post(BOOKINGS, {"device": roadm.pk, "start": "2026-07-01T10:00", "end": "2026-07-01T12:00"},
                                      format="json")
    assert response.status_code == 201, response.content
    assert response.json()["start"] == "2026-07-01T10:00:00+01:00"


def test_nonexistent_local_time_is_400(member_client, roadm):
    """01:30 on 28 Mar 2027 does not exist in Dublin: 400, not 500."""
    response = member_client.post(BOOKINGS, {"device": roadm.pk, "start": "2027-03-28T01:30", "end": "2027-03-28T03:00"},
                                  format="json")
    assert response.status_code == 400


def test_status_from_client_is_refused(member_client, roadm):
    """Clients never choose a status."""
    response = member_client.post(BOOKINGS, {"device": roadm.pk, "start": "2026-12-02T10:00:00Z",
                                             "end": "2026-12-02T12:00:00Z", "status": "confirmed"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()
    assert not Booking.objects.exists()


def test_owner_in_body_is_ignored(member_client, member, other_member, roadm):
    """An `owner` in the body does not change who books."""
    response = member_client.post(BOOKINGS, {"device": roadm.pk, "start": "2026-12-02T10:00:00Z",
                                             "end": "2026-12-02T12:00:00Z", "owner": other_member.pk}, format="json")
    assert response.json()["owner"]["id"] == member.pk


def test_rule_conflict_is_409_with_conflicts(member_client, roadm, amp):
    """A refused group answers 409 naming each failing item; nothing is saved."""
    MaintenanceWindowFactory(device=amp, start=at(12, day=3), end=at(18, day=3))
    response = member_client.post(GROUPS, {"items": [
        {"device": roadm.pk, "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"},
        {"device": amp.pk, "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T13:00:00Z"},
    ]}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["conflicts"] == [{
        "item": 1, "device": amp.pk, "device_name": "Amp 1", "reason": "maintenance",
        "message": "Amp 1 is under maintenance from 12:00 to 18:00 on 3 Dec; pick another slot or device.",
        # No other amplifier to suggest; the amplifier itself is next free for 3 hours after the window.
        "suggestions": [],
        "next_free": {"start": "2026-12-03T18:00:00+00:00", "end": "2026-12-03T21:00:00+00:00"},
    }]
    assert not Booking.objects.exists()


def test_group_create_with_collaborators(member_client, member, roadm, amp):
    """A session with two devices and a collaborator; unknown collaborators are a 400 naming them."""
    UserFactory(username="Carol")
    response = member_client.post(GROUPS, {"items": [
        {"device": roadm.pk, "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"},
        {"device": amp.pk, "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"},
    ], "collaborators": ["carol"], "message": "two devices"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert [c["username"] for c in body["collaborators"]] == ["Carol"]
    assert len(body["bookings"]) == 2
    response = member_client.post(GROUPS, {"items": [
        {"device": roadm.pk, "start": "2026-12-04T10:00:00Z", "end": "2026-12-04T12:00:00Z"}],
        "collaborators": ["nobody", "ghost"]}, format="json")
    assert response.status_code == 400
    assert response.json()["unknown"] == ["nobody", "ghost"]


def test_extend_and_decide_through_the_api(member_client, manager_client, roadm):
    """Extend, approve, then extend the confirmed booking: a new pending booking in the same session."""
    booking = member_client.post(BOOKINGS, {"device": roadm.pk, "start": "2026-12-02T10:00:00Z",
                                            "end": "2026-12-02T12:00:00Z"}, format="json").json()
    url = f"{BOOKINGS}{booking['id']}/"
    assert member_client.post(url + "extend/", {"end": "2026-12-02T13:00:00Z"}, format="json").json()["end"] == "2026-12-02T13:00:00Z"
    approved = manager_client.post(url + "approve/", {"note": "enjoy"}, format="json").json()
    assert (approved["status"], approved["decision_note"], approved["decided_by"]["username"]) == ("confirmed", "enjoy", "manager")
    assert manager_client.post(url + "approve/", {}, format="json").status_code == 409
    added = member_client.post(url + "extend/", {"end": "2026-12-02T15:00:00Z"}, format="json").json()
    assert (added["start"], added["end"], added["status"], added["group"]) == (
        "2026-12-02T13:00:00Z", "2026-12-02T15:00:00Z", "pending", booking["group"])


def test_preview(member_client, other_member, roadm):
    """booking-groups/preview/ answers per item without saving."""
    booking_request(requester=other_member, items=[{"device": roadm, "start": at(10), "end": at(12)}])
    response = member_client.post(GROUPS + "preview/", {"items": [
        {"device": roadm.pk, "start": "2026-12-02T11:00:00Z", "end": "2026-12-02T12:00:00Z"},
        {"device": roadm.pk, "start": "2026-12-02T12:00:00Z", "end": "2026-12-02T12:10:00Z"},
    ]}, format="json")
    assert response.status_code == 200
    assert [c["outcome"] for c in response.json()] == ["conflicting", "refused"]
    assert Booking.objects.count() == 1


BAD_BOOKINGS = [
    {},
    {"device": None, "start": None, "end": None},
    {"device": "abc", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    {"device": 999999, "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    {"device": 99999999999999999999999, "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    {"device": -1, "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    {"device": "{device}", "start": "yesterday", "end": "2026-12-02T12:00:00Z"},
    {"device": "{device}", "start": 12, "end": [1]},
    {"device": ["{device}"], "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    {"device": "{device}", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z", "message": "x" * 3000},
    {"device": "{device}", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z", "message": None},
    {"device": "{device}", "start": "9999-12-31T23:59:59Z", "end": "9999-12-31T23:59:59Z"},
    {"device": "{device}", "start": "0001-01-01T00:00:00Z", "end": "0001-01-01T00:30:00Z"},
    [],
    "not json object",
]


@pytest.mark.parametrize("body", BAD_BOOKINGS)
def test_bad_booking_input_is_4xx(member_client, roadm, body):
    """Shape errors answer 400 (or 409 for rule breaks), never 500."""
    def fill(value):
        if value == "{device}":
            return roadm.pk
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    if isinstance(body, dict):
        body = {k: fill(v) for k, v in body.items()}
    response = member_client.post(BOOKINGS, body, format="json")
    assert 400 <= response.status_code < 500, response.content


BAD_GROUPS = [
    {"items": []},
    {"items": None},
    {"items": "abc"},
    {"items": [None]},
    {"items": [{"device": "{device}"}]},
    {"items": [{"device": "{device}", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"}] * 201},
    {"items": [{"device": "{device}", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z", "status": "confirmed"}]},
    {"items": [{"device": "{device}", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"}], "collaborators": "bob"},
    {"items": [{"device": "{device}", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"}], "collaborators": [None]},
    {"items": [{"device": "{device}", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"}], "collaborators": [{"a": 1}]},
    {"items": [{"device": "{device}", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"}], "collaborators": ["x"] * 51},
    {"items": [{"device": "{device}", "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"}], "collaborators": ["member"]},
]


@pytest.mark.parametrize("body", BAD_GROUPS)
def test_bad_group_input_is_4xx(member_client, roadm, body):
    """Group shape errors answer 4xx, never 500, and save nothing."""
    def fill(value):
        if value == "{device}":
            return roadm.pk
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, list):
            return [fill(v) for v in value]
        return value

    response = member_client.post(GROUPS, fill(body), format="json")
    assert 400 <= response.status_code < 500, response.content
    assert not Booking.objects.exists()


@pytest.mark.parametrize("query", ["device=abc", "status=bogus", "owner=x", "group=1.5", "mine=maybe", "start=notadate",
                                   "end=2026-13-40", "device=99999999999999999999999", "limit=abc", "offset=-1",
                                   "start=9999-12-31T23:00:00-12:00", "end=0001-01-01T00:00:00%2B05:00"])
def test_bad_filters_are_4xx(member_client, query):
    """Bad filter values answer 400 (or are ignored), never 500."""
    response = member_client.get(f"{BOOKINGS}?{query}")
    assert response.status_code in (200, 400), response.content
    response = member_client.get(f"/api/scheduler/maintenance-windows/?{query}")
    assert response.status_code in (200, 400), response.content


@pytest.mark.parametrize("value", ["9999-12-31T23:00:00-12:00", "0001-01-01T00:00:00+05:00"])
def test_out_of_range_filter_times_are_400(member_client, value):
    """A window bound that cannot be stored (before year 1 or after 9999 in UTC) is a 400 naming the field."""
    for field in ("start", "end"):
        response = member_client.get(BOOKINGS, {field: value})
        assert response.status_code == 400, response.content
        assert field in response.json()


def test_rebook_to_an_unrepresentable_start_is_4xx(member_client, member, roadm):
    """Rebooking a multi-day session to a start near the end of the calendar answers 409/400, never 500."""
    group = booking_request(requester=member, items=[
        {"device": roadm, "start": at(10), "end": at(12)},
        {"device": roadm, "start": at(10, day=5), "end": at(12, day=5)},
    ])
    for start in ("9999-12-31T10:00:00Z", "9999-12-30T10:00:00Z"):
        response = member_client.post(f"{GROUPS}{group.pk}/rebook/", {"start": start}, format="json")
        assert 400 <= response.status_code < 500, response.content
    assert BookingGroup.objects.count() == 1


@pytest.mark.parametrize(("path", "body"), [
    ("extend/", {"end": None}), ("extend/", {"end": "x"}), ("extend/", {}), ("extend/", []), ("extend/", {"end": 5}),
    ("approve/", {"note": None}), ("approve/", {"note": "x" * 2000}), ("approve/", []),
    ("reject/", {"note": None}), ("reject/", {"note": ["x"]}),
])
def test_bad_action_input_is_4xx(member_client, manager_client, member, roadm, path, body):
    """Action bodies with bad shapes answer 4xx."""
    booking = booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}]).bookings.get()
    client = member_client if path == "extend/" else manager_client
    response = client.post(f"{BOOKINGS}{booking.pk}/{path}", body, format="json")
    assert 400 <= response.status_code < 500, response.content


def test_unknown_ids_are_404(member_client):
    """Unknown or non-numeric ids are 404."""
    assert member_client.get(f"{BOOKINGS}999999/").status_code == 404
    assert member_client.get(f"{BOOKINGS}abc/").status_code == 404
    assert member_client.get(f"{BOOKINGS}99999999999999999999999/").status_code == 404
    assert member_client.get(f"{GROUPS}99999999999999999999999/").status_code == 404
    assert member_client.post(f"{GROUPS}999999/cancel/").status_code == 404


def test_filters(member_client, member, other_member, manager_client, roadm, amp):
    """device, status, group, mine and the window filters narrow the list."""
    g1 = booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}])
    booking_request(requester=member, items=[{"device": amp, "start": at(14), "end": at(16)}])
    booking_request(requester=other_member, items=[{"device": roadm, "start": at(11), "end": at(13)}])

    def count(client, query):
        return client.get(f"{BOOKINGS}?{query}").json()["count"]

    assert count(member_client, f"device={roadm.pk}") == 1
    assert count(manager_client, f"device={roadm.pk}") == 2
    assert count(manager_client, "status=conflicting") == 2
    assert count(manager_client, "status=conflicting&status=pending") == 3
    assert count(manager_client, f"group={g1.pk}") == 1
    assert count(manager_client, f"owner={other_member.pk}") == 1
    assert count(manager_client, "mine=true") == 0
    assert count(member_client, "mine=true") == 2
    assert count(manager_client, "start=2026-12-02T12:00:00Z") == 2  # ends after 12:00
    assert count(manager_client, "start=2026-12-02T12:00:00Z&end=2026-12-02T14:00:00Z") == 1
    assert count(manager_client, "end=2026-12-02T10:00:00Z") == 0  # back to back is not an overlap


def test_list_query_counts_are_constant(member_client, manager_client, member, django_assert_max_num_queries):
    """Lists cost the same number of queries for 3 or 30 sessions."""
    def add(n):
        for _ in range(n):
            device = DeviceFactory()
            booking_request(requester=member, items=[{"device": device, "start": at(10), "end": at(12)},
                                                     {"device": DeviceFactory(), "start": at(10), "end": at(12)}],
                            collaborators=[UserFactory().username])

    add(3)
    for client in (member_client, manager_client):
        with django_assert_max_num_queries(6):
            assert client.get(BOOKINGS).status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get(GROUPS).status_code == 200
    add(27)
    for client in (member_client, manager_client):
        with django_assert_max_num_queries(6):
            assert client.get(BOOKINGS).json()["count"] == 60
        with django_assert_max_num_queries(8):
            assert client.get(GROUPS).json()["count"] == 30


def test_group_actions(member_client, manager_client, member, roadm, amp):
    """Session cancel, extend, rebook, collaborators, approve and reject through the API."""
    UserFactory(username="dave")
    group = member_client.post(GROUPS, {"items": [
        {"device": roadm.pk, "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
        {"device": amp.pk, "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    ]}, format="json").json()
    url = f"{GROUPS}{group['id']}/"
    extended = member_client.post(url + "extend/", {"end": "2026-12-02T13:00:00Z"}, format="json").json()
    assert {b["end"] for b in extended["bookings"]} == {"2026-12-02T13:00:00Z"}
    assert member_client.post(url + "collaborators/", {"collaborators": ["DAVE"]}, format="json").json()["collaborators"][0]["username"] == "dave"
    copy = member_client.post(url + "rebook/", {"start": "2026-12-09T10:00:00Z"}, format="json")
    assert copy.status_code == 201 and copy.json()["id"] != group["id"]
    approved = manager_client.post(url + "approve/", {}, format="json").json()
    assert [b["status"] for b in approved] == ["confirmed", "confirmed"]
    rejected = manager_client.post(f"{GROUPS}{copy.json()['id']}/reject/", {"note": "busy week"}, format="json").json()
    assert {b["status"] for b in rejected} == {"rejected"}
    cancelled = member_client.post(url + "cancel/").json()
    assert {b["status"] for b in cancelled} == {"cancelled"}
    assert member_client.post(url + "cancel/").status_code == 409


def test_maintenance_window_api(manager_client, member_client, member, roadm):
    """Managers create windows; confirmed bookings make it 409 unless cancel_confirmed."""
    booking = booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}]).bookings.get()
    Booking.objects.filter(pk=booking.pk).update(status=S.CONFIRMED)
    body = {"device": roadm.pk, "start": "2026-12-02T11:00:00Z", "end": "2026-12-02T15:00:00Z", "reason": "fibre swap"}
    response = manager_client.post("/api/scheduler/maintenance-windows/", body, format="json")
    assert response.status_code == 409
    assert response.json()["conflicts"][0]["booking"] == booking.pk
    response = manager_client.post("/api/scheduler/maintenance-windows/", {**body, "cancel_confirmed": True}, format="json")
    assert response.status_code == 201
    assert response.json()["device"]["name"] == "ROADM 3"
    booking.refresh_from_db()
    assert booking.status == S.CANCELLED
    listed = member_client.get(f"/api/scheduler/maintenance-windows/?device={roadm.pk}&start=2026-12-02T00:00:00Z").json()
    assert listed["count"] == 1
    bad = manager_client.post("/api/scheduler/maintenance-windows/", {**body, "end": "2026-12-02T10:00:00Z"}, format="json")
    assert bad.status_code == 400


def test_create_booking_query_count(member_client, member, roadm, amp, django_assert_max_num_queries):
    """A single-booking POST, with every rule checked and a soft conflict, costs a fixed, small number of
    queries: policy, lock, bookings, windows, 3 inserts, notification (with its savepoint), plus this test's
    outer savepoint (the device's existence is read under the lock, not checked apart)."""
    from scheduler.models import BookingPolicy
    from scheduler.tests.factories import BookingFactory

    BookingPolicy.load()
    BookingFactory(device=roadm, start=at(9), end=at(11), status=S.CONFIRMED)
    with django_assert_max_num_queries(12):
        response = member_client.post(BOOKINGS, {"device": roadm.pk, "start": "2026-12-02T10:00:00Z",
                                                 "end": "2026-12-02T12:00:00Z"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    stored = Booking.objects.select_related("group").get(pk=body["id"])
    assert body["status"] == stored.status == S.CONFLICTING
    assert body["group"] == stored.group_id and body["owner"]["id"] == stored.group.owner_id == member.pk
    assert body["created_at"] == member_client.get(f"{BOOKINGS}{stored.pk}/").json()["created_at"]


def test_group_create_query_count_does_not_grow_with_items(member_client, member, django_assert_max_num_queries):
    """A session of 2 or of 20 bookings costs the same number of queries (devices checked, written and
    audited in batches)."""
    from scheduler.models import BookingPolicy

    BookingPolicy.load()
    UserFactory(username="dave")
    counts = []
    for n, day in ((2, 2), (20, 3)):
        devices = [DeviceFactory() for _ in range(n)]
        items = [{"device": d.pk, "start": f"2026-12-0{day}T10:00:00Z", "end": f"2026-12-0{day}T12:00:00Z"} for d in devices]
        with CaptureQueriesContext(connection) as ctx:
            response = member_client.post(GROUPS, {"items": items, "collaborators": ["dave"]}, format="json")
        assert response.status_code == 201, response.content
        assert len(response.json()["bookings"]) == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 18
    device = DeviceFactory()
    with django_assert_max_num_queries(16):
        response = member_client.post(GROUPS, {"items": [{"device": device.pk, "start": "2026-12-04T10:00:00Z",
                                                          "end": "2026-12-04T12:00:00Z"}]}, format="json")
    assert response.status_code == 201


def test_unknown_device_in_a_group_is_a_field_error(member_client, roadm):
    """Devices are checked in one query; an unknown one is a 400 naming its item."""
    response = member_client.post(GROUPS, {"items": [
        {"device": roadm.pk, "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
        {"device": 999999, "start": "2026-12-02T10:00:00Z", "end": "2026-12-02T12:00:00Z"},
    ]}, format="json")
    assert response.status_code == 400
    assert response.json()["items"] == [{}, {"device": ['Invalid pk "999999" - object does not exist.']}]
    response = member_client.post(BOOKINGS, {"device": 999999, "start": "2026-12-02T10:00:00Z",
                                             "end": "2026-12-02T12:00:00Z"}, format="json")
    assert response.status_code == 400
    assert response.json()["device"] == ['Invalid pk "999999" - object does not exist.']
    assert not Booking.objects.exists()


def test_mine_means_owned_or_shared_for_bookings_and_sessions(manager, member, client_for):
    """`mine=true` is the same set on both lists: sessions the caller owns or collaborates on."""
    from scheduler.tests.factories import BookingFactory, BookingGroupFactory

    own = BookingGroupFactory(owner=manager)
    shared = BookingGroupFactory(owner=member)
    shared.collaborators.add(manager)
    other = BookingGroupFactory(owner=member)
    for group in (own, shared, other):
        BookingFactory(group=group)
    client = client_for(manager)
    groups = {row["id"] for row in client.get("/api/scheduler/booking-groups/", {"mine": "true"}).json()["results"]}
    bookings = {row["group"] for row in client.get("/api/scheduler/bookings/", {"mine": "true"}).json()["results"]}
    assert groups == bookings == {own.pk, shared.pk}
    others = {row["id"] for row in client.get("/api/scheduler/booking-groups/", {"mine": "false"}).json()["results"]}
    assert others == {other.pk}
