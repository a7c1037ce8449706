"""Identity comes from the token or session only: user fields in a request body are ignored or refused."""

import pytest

from scheduler.models import BookingGroup, Favorite, MaintenanceWindow
from scheduler.tests.factories import BookingFactory, BookingGroupFactory

pytestmark = pytest.mark.usefixtures("now")
BASE = "/api/scheduler"
ITEM = {"start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"}


def test_group_request_ignores_owner_requester_and_decided_by(member_client, member, other_member, manager, roadm):
    """owner/requester/user/decided_by in the body change nothing: the caller owns the new, undecided session."""
    body = {"items": [{"device": roadm.pk, **ITEM, "owner": other_member.pk}], "owner": other_member.pk,
            "requester": other_member.pk, "user": other_member.pk, "decided_by": manager.pk}
    response = member_client.post(f"{BASE}/booking-groups/", body, format="json")
    assert response.status_code == 201, response.content
    group = BookingGroup.objects.get(pk=response.json()["id"])
    assert group.owner == member
    assert [b.decided_by for b in group.bookings.all()] == [None]


@pytest.mark.parametrize("url", [f"{BASE}/bookings/", f"{BASE}/booking-groups/"])
def test_status_in_any_booking_body_is_refused(member_client, roadm, url):
    """A client-chosen status is a 400 (it is never silently taken), and nothing is saved."""
    item = {"device": roadm.pk, **ITEM}
    body = {**item, "status": "confirmed"} if url.endswith("bookings/") else {"items": [{**item, "status": "confirmed"}]}
    response = member_client.post(url, body, format="json")
    assert response.status_code == 400
    assert not BookingGroup.objects.exists()


def test_decision_records_the_caller_not_the_body(manager_client, manager, other_member, roadm):
    """decided_by in an approve body is ignored: the signed-in manager is recorded."""
    booking = BookingFactory(group=BookingGroupFactory(), device=roadm, status="pending")
    response = manager_client.post(f"{BASE}/bookings/{booking.pk}/approve/", {"decided_by": other_member.pk}, format="json")
    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert booking.decided_by == manager


def test_favorite_owner_and_window_creator_come_from_the_request(member_client, manager_client, member, manager,
                                                                 other_member, roadm):
    """owner (favorites) and created_by (maintenance) in the body are ignored."""
    response = member_client.post(f"{BASE}/favorites/", {"name": "f", "devices": [roadm.pk], "owner": other_member.pk},
                                  format="json")
    assert response.status_code == 201, response.content
    assert Favorite.objects.get().owner == member
    response = manager_client.post(f"{BASE}/maintenance-windows/", {"device": roadm.pk, **ITEM, "created_by": member.pk},
                                   format="json")
    assert response.status_code == 201, response.content
    assert MaintenanceWindow.objects.get().created_by == manager
