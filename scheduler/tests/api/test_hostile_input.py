"""Hostile input a stranger sends: NUL bytes, ids beyond 2^63 − 1, JSON nested 50,000 deep, more than
1,000 form fields, list filters on single-item actions. Each is a clear 4xx (JSON under /api/), never a 500."""

import pytest
from django.test import Client

from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, PortFactory
from scheduler.models import Booking, BookingGroup
from scheduler.tests.factories import BookingFactory, BookingGroupFactory

pytestmark = [pytest.mark.usefixtures("now"), pytest.mark.django_db]


@pytest.fixture
def web_manager(manager):
    client = Client()
    client.force_login(manager)
    return client


def _is_json_error(response, status):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json() or response.json()


def test_nul_in_an_admin_filter_is_a_400(web_manager):
    """/admin/scheduler/booking/?status__exact=%00 reached PostgreSQL (a 500); now refused first."""
    response = web_manager.get("/admin/scheduler/booking/?status__exact=%00")
    assert response.status_code == 400
    assert b"NUL" in response.content


def test_nul_in_api_query_parameters_and_forms_is_a_json_400(member_client):
    _is_json_error(member_client.get("/api/inventory/devices/?q=a%00b"), 400)
    _is_json_error(member_client.post("/api/scheduler/bookings/", "device=1&start=a%00", content_type="application/x-www-form-urlencoded"), 400)


def test_nul_in_json_is_a_400_and_books_nothing(member_client, roadm):
    response = member_client.post("/api/scheduler/booking-groups/", {
        "items": [{"device": roadm.pk, "start": "2026-12-03T08:00:00Z", "end": "2026-12-03T10:00:00Z"}],
        "message": "hi\x00there"}, format="json")
    assert response.status_code == 400 and "NUL" in response.json()["detail"]
    assert not BookingGroup.objects.exists()


def test_nul_in_a_pasted_patch_list_is_refused_with_a_message(member):
    """The paste `[["tf_1\\u0000","roadm_10_p2"]]` names the bad label instead of querying with it."""
    PortFactory(name="roadm_10_p2")
    client = Client()
    client.force_login(member)
    response = client.post("/patch-list/", {"text": '[["tf_1\\u0000","roadm_10_p2"]]'})
    assert response.status_code == 200
    assert "is not a port label" in response.content.decode()
    assert "cart_devices" not in client.session


@pytest.mark.parametrize("path", [
    "/api/inventory/devices/9223372036854775815/history/",  # overflowed SQLite: a 500
    "/api/inventory/devices/99999999999999999999999/",
    "/api/inventory/devices/0.5/",  # Django's HTML 404 page
    "/api/scheduler/booking-groups/1e3/",
    "/api/auth/tokens/-1/",
    "/api/inventory/no-such-thing/",
])
def test_ids_that_cannot_exist_are_a_json_404(member_client, path):
    _is_json_error(member_client.get(path), 404)


def test_more_than_a_thousand_form_fields_is_a_json_400(member_client):
    body = "&".join(f"f{i}=1" for i in range(1200))
    response = member_client.post("/api/scheduler/access-check/", body, content_type="application/x-www-form-urlencoded")
    _is_json_error(response, 400)


@pytest.mark.parametrize("path", ["/api/scheduler/bookings/", "/api/scheduler/booking-groups/"])
def test_json_nested_50000_deep_is_a_400(member_client, path):
    """A RecursionError in the parser was a 500."""
    body = "[" * 50_000 + "]" * 50_000
    response = member_client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in response.json()["detail"]
    assert not Booking.objects.exists()


def test_list_filters_do_not_apply_to_single_item_actions(member_client, member, roadm):
    """`?mine=false` on a session's cancel hid the caller's own session (a 404); it is a list filter only."""
    group = BookingGroupFactory(owner=member)
    BookingFactory(group=group, device=roadm, status="pending")
    response = member_client.post(f"/api/scheduler/booking-groups/{group.pk}/cancel/?mine=false&owner=424242")
    assert response.status_code == 200, response.content
    assert response.json()[0]["status"] == "cancelled"


def test_list_filters_are_documented_on_lists_only(member_client):
    schema = member_client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if method != "get":
                assert not names & {"mine", "owner", "device", "status"}, (method, path)


def test_download_errors_are_json_whatever_the_accept_header(member_client):
    response = member_client.get("/api/inventory/attachments/424242/download/", HTTP_ACCEPT="application/octet-stream")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_a_manager_sees_json_not_html_for_a_missing_device(manager_client):
    DeviceFactory()
    _is_json_error(manager_client.delete("/api/inventory/devices/12345678/"), 404)


def test_a_csrf_failure_under_the_api_is_json(member):
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(username="csrf-less"))
    response = client.post("/api/scheduler/booking-groups/", {}, content_type="application/json")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_the_schema_states_the_constraints_the_inputs_enforce(member_client):
    """Dates 2000-2099, non-empty items, and access-check's `patches` or `ports` are in the contract."""
    schema = member_client.get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    for name in ("BookingGroupCreateInputRequest", "BookingPreviewInputRequest"):
        assert components[name]["properties"]["items"]["minItems"] == 1
    assert components["AccessCheckInputRequest"]["anyOf"] == [{"required": ["patches"]}, {"required": ["ports"]}]
    assert components["BookingItemInputRequest"]["properties"]["start"]["pattern"] == "^20[0-9]{2}-"
    schedule = schema["paths"]["/api/scheduler/schedule/"]["get"]["parameters"]
    assert next(p for p in schedule if p["name"] == "start")["schema"]["pattern"] == "^20[0-9]{2}-"
