"""My bookings and favorites: listing, derived status, and each action through the services."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from scheduler.models import Booking, BookingGroup, Favorite
from scheduler.services.booking import booking_request
from scheduler.tests.factories import BookingFactory, BookingGroupFactory
from scheduler.views.bookings import session_status

pytestmark = pytest.mark.django_db


def utc(day, hour):
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def session(member, roadm, teraflex, now):
    return booking_request(requester=member, message="sweep", items=[
        {"device": roadm, "start": utc(2, 7), "end": utc(2, 18)},
        {"device": teraflex, "start": utc(2, 7), "end": utc(2, 18)},
    ])


def test_lists_own_and_collaborating_sessions(web, member, other_member, roadm, session, now):
    """My bookings shows sessions I own and those I collaborate on, with status and devices."""
    shared = booking_request(requester=other_member, collaborators=["member"],
                             items=[{"device": roadm, "start": utc(5, 7), "end": utc(5, 12)}])
    html = body(web.get(reverse("my-bookings")))
    assert f'data-session="{session.pk}" data-status="pending"' in html
    assert f'data-session="{shared.pk}"' in html and "owned by other" in html
    assert "ROADM 10" in html and "TeraFlex 1" in html


def test_session_status_words(now):
    """The derived status of a session summarises its bookings."""
    def b(status, start=None, end=None):
        return Booking(status=status, start=start or utc(2, 7), end=end or utc(2, 12))
    assert session_status([b("confirmed"), b("confirmed")], now) == "confirmed"
    assert session_status([b("confirmed"), b("pending")], now) == "partly confirmed"
    assert session_status([b("conflicting"), b("pending")], now) == "conflicting"
    assert session_status([b("confirmed", utc(1, 7), utc(1, 12))], now) == "in progress"
    assert session_status([b("cancelled"), b("cancelled")], now) == "cancelled"
    assert session_status([b("pending", utc(1, 1), utc(1, 2))], now) == "finished"


def test_cancel_one_booking_and_the_session(web, session):
    bookings = list(session.bookings.order_by("id"))
    assert web.post(reverse("booking-cancel", args=[bookings[0].pk])).status_code == 302
    assert [b.status for b in session.bookings.order_by("id")] == ["cancelled", "pending"]
    web.post(reverse("group-cancel", args=[session.pk]))
    assert set(session.bookings.values_list("status", flat=True)) == {"cancelled"}


def test_other_member_cannot_cancel(other_web, session):
    """Someone else's session and bookings are not found through the pages."""
    booking = session.bookings.first()
    assert other_web.post(reverse("group-cancel", args=[session.pk])).status_code == 404
    assert other_web.post(reverse("booking-cancel", args=[booking.pk])).status_code == 404
    assert other_web.post(reverse("group-rebook", args=[session.pk]), {"start_day": "2026-12-09", "start_time": "07:00"}).status_code == 404
    assert set(session.bookings.values_list("status", flat=True)) == {"pending"}


def test_collaborator_cannot_cancel_but_is_told(web, other_member, roadm, now):
    """A collaborator sees the session; cancelling is refused by the service with a message."""
    shared = booking_request(requester=other_member, collaborators=["member"],
                             items=[{"device": roadm, "start": utc(5, 7), "end": utc(5, 12)}])
    html = body(web.post(reverse("group-cancel", args=[shared.pk]), follow=True))
    assert 'class="message message-error"' in html
    assert set(shared.bookings.values_list("status", flat=True)) == {"pending"}


def test_extend_session(web, session):
    response = web.post(reverse("group-extend", args=[session.pk]), {"end_day": "2026-12-03", "end_time": "07:00"})
    assert response.status_code == 302
    assert max(session.bookings.values_list("end", flat=True)) == utc(3, 7)


def test_rebook_session(web, member, session):
    """Rebook copies the session to a new start as a new session."""
    web.post(reverse("group-rebook", args=[session.pk]), {"start_day": "2026-12-09", "start_time": "07:00"})
    new = BookingGroup.objects.exclude(pk=session.pk).get()
    assert new.owner == member
    assert sorted(new.bookings.values_list("start", "end")) == [(utc(9, 7), utc(9, 18))] * 2


def test_rebook_refusal_is_shown(web, session, now):
    """A rebook into the past is refused with the service's reason on the page."""
    html = body(web.post(reverse("group-rebook", args=[session.pk]), {"start_day": "2026-11-01", "start_time": "07:00"}, follow=True))
    assert 'class="message message-error"' in html
    assert BookingGroup.objects.count() == 1


def test_edit_collaborators(web, other_member, session):
    web.post(reverse("group-collaborators", args=[session.pk]), {"collaborators": "other"})
    assert list(session.collaborators.values_list("username", flat=True)) == ["other"]


def test_save_favorite_and_book_again(web, member, roadm, teraflex, session):
    """A session's devices are saved as a favorite; "book again" picks them in the cart form."""
    web.post(reverse("group-favorite", args=[session.pk]), {"name": "Sweep rig"})
    favorite = Favorite.objects.get(owner=member)
    assert set(favorite.devices.all()) == {roadm, teraflex}
    assert "Sweep rig" in body(web.get(reverse("favorites")))
    response = web.post(reverse("favorite-to-cart", args=[favorite.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("cart")
    html = body(web.get(reverse("cart")))
    assert f'<option value="{roadm.pk}" selected>' in html and f'<option value="{teraflex.pk}" selected>' in html


def test_favorites_are_private(other_web, member, roadm):
    favorite = Favorite.objects.create(owner=member, name="mine")
    favorite.devices.add(roadm)
    assert other_web.post(reverse("favorite-to-cart", args=[favorite.pk])).status_code == 404
    assert other_web.post(reverse("favorite-delete", args=[favorite.pk])).status_code == 404


def test_my_bookings_query_count(web, member, roadm, now, django_assert_max_num_queries):
    """The page's queries don't grow with the number of sessions."""
    for day in range(2, 12):
        booking_request(requester=member, items=[{"device": roadm, "start": utc(day, 7), "end": utc(day, 12)}])
    BookingFactory(device=roadm, start=utc(20, 7), end=utc(20, 12))
    with django_assert_max_num_queries(12):
        html = body(web.get(reverse("my-bookings")))
    assert html.count("data-session=") == 10


def test_finished_sessions_only_under_all_and_pages(web, member, roadm, now):
    """Finished or cancelled sessions are listed under "All sessions"; the list is paged by 20."""
    old = BookingGroupFactory(owner=member)
    BookingFactory(group=old, device=roadm, start=utc(1, 1), end=utc(1, 2), status="confirmed")
    for day in range(2, 24):
        booking_request(requester=member, items=[{"device": roadm, "start": utc(day, 7), "end": utc(day, 12)}])
    active = body(web.get(reverse("my-bookings")))
    assert f'data-session="{old.pk}"' not in active
    assert active.count("data-session=") == 20 and "Page 1 of 2" in active
    everything = body(web.get(reverse("my-bookings"), {"show": "all", "page": 2}))
    assert f'data-session="{old.pk}" data-status="finished"' in everything


def test_manager_sees_only_own_sessions_here(manager, member, roadm, now):
    """A lab manager's "my bookings" lists their own sessions, not every member's."""
    booking_request(requester=member, items=[{"device": roadm, "start": utc(2, 7), "end": utc(2, 12)}])
    client = Client()
    client.force_login(manager)
    assert "data-session=" not in body(client.get(reverse("my-bookings")))
