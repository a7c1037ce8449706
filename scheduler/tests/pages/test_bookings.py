"""My bookings and favorites: listing, derived status, and each action through the services."""

import re
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
    assert '<p class="form-error" role="alert">Only the owner' in html
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
    assert f'id="rebook-error-{session.pk}">' in html
    assert 'value="2026-11-01"' in html  # the day typed is kept
    assert BookingGroup.objects.count() == 1


def test_refused_extend_is_shown_beside_its_form_with_values_kept(web, other_member, teraflex, session, now):
    """Extending into a full slot: the reason sits under the extend form, which is open with the values typed."""
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=teraflex, start=utc(2, 18), end=utc(3, 7),
                   status="confirmed")
    response = web.post(reverse("group-extend", args=[session.pk]),
                        {"end_day": "2026-12-02", "end_time": "22:00", "next": reverse("my-bookings") + "?show=all"})
    assert response.status_code == 302 and response["Location"] == reverse("my-bookings") + f"?show=all#session-{session.pk}"
    html = body(web.get(response["Location"]))
    start = html.index(f'data-session="{session.pk}"')
    card = html[start:html.index("</section>", start)]
    assert "<details open>" in card
    assert f'<p class="form-error" role="alert" id="extend-error-{session.pk}">The extension was not saved: ' in card
    assert "TeraFlex 1" in card[card.index("extend-error"):]
    assert 'name="end_day" id="extend-day-' in card and 'value="2026-12-02"' in card and 'value="22:00"' in card
    assert 'class="message message-error"' not in html  # the reason is shown once, beside the form
    assert max(session.bookings.values_list("end", flat=True)) == utc(2, 18)
    # Shown once: the next visit is clean.
    assert "form-error" not in body(web.get(reverse("my-bookings")))


def test_refusal_for_a_session_not_listed_goes_to_the_top(web, member, roadm, now):
    """A refused action on a session not on this page (here: finished) is reported in the messages."""
    old = BookingGroupFactory(owner=member)
    BookingFactory(group=old, device=roadm, start=utc(1, 1), end=utc(1, 2), status="confirmed")
    html = body(web.post(reverse("group-extend", args=[old.pk]), {"end_day": "2026-12-05", "end_time": "07:00"}, follow=True))
    assert 'class="message message-error"' in html and "no active booking left to extend" in html


def test_extend_success_says_the_new_status(web, session):
    html = body(web.post(reverse("group-extend", args=[session.pk]), {"end_day": "2026-12-03", "end_time": "07:00"}, follow=True))
    assert f"Session {session.pk} extended to Thu 3 Dec 07:00 (pending: a lab manager decides)." in html


def test_forms_start_with_useful_values(web, session):
    """Extend proposes one more day, rebook the same time a week later."""
    html = body(web.get(reverse("my-bookings")))
    assert f'name="end_day" id="extend-day-{session.pk}" value="2026-12-03"' in html
    assert f'name="start_day" id="rebook-day-{session.pk}" value="2026-12-09"' in html


def test_cancel_one_booking_refusal_shown_in_its_row(web, member, roadm, now):
    """Cancelling a booking that has ended is refused; the reason is in that booking's row."""
    group = BookingGroupFactory(owner=member)
    BookingFactory(group=group, device=roadm, start=utc(5, 7), end=utc(5, 12), status="pending")
    ended = BookingFactory(group=group, device=roadm, start=utc(1, 1), end=utc(1, 2), status="confirmed")
    html = body(web.post(reverse("booking-cancel", args=[ended.pk]), follow=True))
    start = html.index(f'data-booking="{ended.pk}"')
    assert '<p class="form-error" role="alert">' in html[start:html.index("</tr>", start)]


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
    for device in (roadm, teraflex):  # chosen in the cart's device picker
        assert re.search(rf'<option value="{device.pk}" [^>]*\bselected\b', html), device


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
