"""The permission matrix of every scheduler endpoint: anonymous, owner, collaborator, other member, manager."""

import pytest

from core.tests.factories import UserFactory
from scheduler.models import MaintenanceWindow
from scheduler.services.booking import booking_request
from scheduler.tests.conftest import at

pytestmark = pytest.mark.usefixtures("now")

ROLES = ["anonymous", "owner", "collaborator", "other", "manager"]


@pytest.fixture
def world(member, other_member, manager, roadm, groups):
    collaborator = UserFactory(username="collab")
    group = booking_request(requester=member, items=[{"device": roadm, "start": at(10), "end": at(12)}],
                            collaborators=["collab"])
    window = MaintenanceWindow.objects.create(device=roadm, start=at(20, day=5), end=at(22, day=5), created_by=manager)
    return {
        "users": {"anonymous": None, "owner": member, "collaborator": collaborator, "other": other_member,
                  "manager": manager},
        "group": group,
        "booking": group.bookings.get(),
        "window": window,
        "device": roadm,
    }


def call(client_for, world, role, method, url, data=None):
    client = client_for(world["users"][role])
    return getattr(client, method)(url, data, format="json")


# (method, url template, body, {role: status})
MATRIX = [
    ("post", "/api/scheduler/bookings/", {"device": "{device}", "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"}, {"anonymous": 401, "owner": 201, "collaborator": 201, "other": 201, "manager": 201}),
    ("post", "/api/scheduler/booking-groups/", {"items": [{"device": "{device}", "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"}]}, {"anonymous": 401, "owner": 201, "collaborator": 201, "other": 201, "manager": 201}),
    ("post", "/api/scheduler/booking-groups/preview/", {"items": [{"device": "{device}", "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"}]}, {"anonymous": 401, "owner": 200, "collaborator": 200, "other": 200, "manager": 200}),
    ("get", "/api/scheduler/bookings/", None, {"anonymous": 401, "owner": 200, "collaborator": 200, "other": 200, "manager": 200}),
    ("get", "/api/scheduler/bookings/{booking}/", None, {"anonymous": 401, "owner": 200, "collaborator": 200, "other": 404, "manager": 200}),
    ("post", "/api/scheduler/bookings/{booking}/cancel/", {}, {"anonymous": 401, "owner": 200, "collaborator": 403, "other": 404, "manager": 200}),
    ("post", "/api/scheduler/bookings/{booking}/extend/", {"end": "2026-12-02T13:00:00Z"}, {"anonymous": 401, "owner": 200, "collaborator": 200, "other": 404, "manager": 200}),
    ("post", "/api/scheduler/bookings/{booking}/approve/", {}, {"anonymous": 401, "owner": 403, "collaborator": 403, "other": 404, "manager": 200}),
    ("post", "/api/scheduler/bookings/{booking}/reject/", {"note": "no"}, {"anonymous": 401, "owner": 403, "collaborator": 403, "other": 404, "manager": 200}),
    ("get", "/api/scheduler/booking-groups/", None, {"anonymous": 401, "owner": 200, "collaborator": 200, "other": 200, "manager": 200}),
    ("get", "/api/scheduler/booking-groups/{group}/", None, {"anonymous": 401, "owner": 200, "collaborator": 200, "other": 404, "manager": 200}),
    ("post", "/api/scheduler/booking-groups/{group}/cancel/", {}, {"anonymous": 401, "owner": 200, "collaborator": 403, "other": 404, "manager": 200}),
    ("post", "/api/scheduler/booking-groups/{group}/extend/", {"end": "2026-12-02T13:00:00Z"}, {"anonymous": 401, "owner": 200, "collaborator": 200, "other": 404, "manager": 200}),
    ("post", "/api/scheduler/booking-groups/{group}/rebook/", {"start": "2026-12-09T10:00:00Z"}, {"anonymous": 401, "owner": 201, "collaborator": 403, "other": 404, "manager": 403}),
    ("post", "/api/scheduler/booking-groups/{group}/collaborators/", {"collaborators": []}, {"anonymous": 401, "owner": 200, "collaborator": 403, "other": 404, "manager": 200}),
    ("post", "/api/scheduler/booking-groups/{group}/approve/", {}, {"anonymous": 401, "owner": 403, "collaborator": 403, "other": 404, "manager": 200}),
    ("post", "/api/scheduler/booking-groups/{group}/reject/", {}, {"anonymous": 401, "owner": 403, "collaborator": 403, "other": 404, "manager": 200}),
    ("get", "/api/scheduler/maintenance-windows/", None, {"anonymous": 401, "owner": 200, "collaborator": 200, "other": 200, "manager": 200}),
    ("get", "/api/scheduler/maintenance-windows/{window}/", None, {"anonymous": 401, "owner": 200, "collaborator": 200, "other": 200, "manager": 200}),
    ("post", "/api/scheduler/maintenance-windows/", {"device": "{device}", "start": "2026-12-06T10:00:00Z", "end": "2026-12-06T12:00:00Z"}, {"anonymous": 401, "owner": 403, "collaborator": 403, "other": 403, "manager": 201}),
    ("delete", "/api/scheduler/maintenance-windows/{window}/", None, {"anonymous": 401, "owner": 403, "collaborator": 403, "other": 403, "manager": 204}),
]


def _fill(value, world):
    ids = {"booking": world["booking"].pk, "group": world["group"].pk, "window": world["window"].pk, "device": world["device"].pk}
    if isinstance(value, str):
        if value == "{device}":
            return ids["device"]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


@pytest.mark.parametrize(("method", "url", "body", "expected"), MATRIX, ids=[f"{m} {u}" for m, u, _, _ in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, client_for, method, url, body, expected, role):
    """Each role gets exactly the expected status on each endpoint."""
    response = call(client_for, world, role, method, _fill(url, world), _fill(body, world))
    assert response.status_code == expected[role], response.content


def test_lists_show_only_visible_sessions(world, client_for):
    """Another member's list does not include the session; owner, collaborator and manager see it."""
    for role, count in [("owner", 1), ("collaborator", 1), ("other", 0), ("manager", 1)]:
        client = client_for(world["users"][role])
        assert client.get("/api/scheduler/bookings/").json()["count"] == count, role
        assert client.get("/api/scheduler/booking-groups/").json()["count"] == count, role


def test_lookups_by_id_do_not_list_every_session(world, client_for, monkeypatch):
    """A booking or session looked up by id (and the actions on it) asks whether that row is visible,
    rather than first listing every session the member may see (thousands for a long-time member)."""
    from scheduler.selectors import bookings as selectors

    def listing(**kwargs):
        raise AssertionError("listed every visible session to look one up")

    monkeypatch.setattr(selectors, "booking_group_ids_of", listing)
    booking, group = world["booking"], world["group"]
    for role, seen, end in [("other", 404, "13"), ("owner", 200, "13"), ("collaborator", 200, "14")]:
        client = client_for(world["users"][role])
        assert client.get(f"/api/scheduler/bookings/{booking.pk}/").status_code == seen, role
        assert client.get(f"/api/scheduler/booking-groups/{group.pk}/").status_code == seen, role
        assert client.post(f"/api/scheduler/bookings/{booking.pk}/extend/", {"end": f"2026-12-02T{end}:00:00Z"},
                           format="json").status_code == seen, role
    with pytest.raises(AssertionError, match="listed every visible session"):
        client_for(world["users"]["owner"]).get("/api/scheduler/bookings/")  # a list still uses the ids
