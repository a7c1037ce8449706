"""Security of the booking pages: server-side permission checks, CSRF, safe redirects, escaping, feed keys."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from core.hashing import secret_digest
from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler.models import Booking, BookingGroup, Favorite
from scheduler.tests.factories import BookingFactory, BookingGroupFactory, MaintenanceWindowFactory

pytestmark = pytest.mark.usefixtures("now")


def utc(day, hour):
    return datetime(2026, 12, day, hour, tzinfo=UTC)


@pytest.fixture
def session(member, roadm):
    group = BookingGroupFactory(owner=member, message="mine")
    BookingFactory(group=group, device=roadm, start=utc(3, 7), end=utc(3, 12), status="confirmed")
    return group


def _state(group):
    group.refresh_from_db()
    return (
        sorted(group.bookings.values_list("id", "start", "end", "status")),
        sorted(group.collaborators.values_list("username", flat=True)),
        BookingGroup.objects.count(),
        Booking.objects.count(),
    )


@pytest.mark.parametrize("name,data", [
    ("group-cancel", {}),
    ("group-extend", {"end_day": "2026-12-03", "end_time": "18:00"}),
    ("group-rebook", {"start_day": "2026-12-10", "start_time": "07:00"}),
    ("group-collaborators", {"collaborators": "other"}),
    ("group-favorite", {"name": "stolen"}),
])
def test_another_member_cannot_act_on_your_session_from_the_pages(other_web, session, name, data):
    """Every session action looks the session up among those the signed-in member may see: 404, nothing changes."""
    before = _state(session)
    response = other_web.post(reverse(name, args=[session.pk]), data)
    assert response.status_code == 404
    assert _state(session) == before
    assert not Favorite.objects.exists()


def test_another_member_cannot_cancel_your_booking_from_the_pages(other_web, session):
    """Cancelling one booking of someone else's session is a 404 and the booking stays confirmed."""
    booking = session.bookings.get()
    assert other_web.post(reverse("booking-cancel", args=[booking.pk])).status_code == 404
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_another_member_cannot_use_or_delete_your_favorite(other_web, member, roadm):
    """Favorites are looked up by owner: another member gets 404 for both actions."""
    favorite = Favorite.objects.create(owner=member, name="Mine")
    favorite.devices.set([roadm])
    assert other_web.post(reverse("favorite-to-cart", args=[favorite.pk])).status_code == 404
    assert other_web.post(reverse("favorite-delete", args=[favorite.pk])).status_code == 404
    assert Favorite.objects.filter(pk=favorite.pk).exists()


def test_a_collaborator_cannot_rebook_or_edit_collaborators(member, other_member, session):
    """A collaborator sees the session; the services refuse what only the owner may do (no success, nothing changes)."""
    session.collaborators.add(other_member)
    client = Client()
    client.force_login(other_member)
    before = _state(session)
    for name, data in [("group-rebook", {"start_day": "2026-12-10", "start_time": "07:00"}),
                       ("group-collaborators", {"collaborators": ""}),
                       ("group-cancel", {})]:
        response = client.post(reverse(name, args=[session.pk]), data, follow=True)
        assert response.status_code in (200, 403), name
        assert not any(m.level_tag == "success" for m in response.context["messages"]), name
    assert _state(session) == before


@pytest.mark.parametrize("name,args,data", [
    ("cart-add-cells", [], {"cell": "1|2026-12-03|day"}),
    ("cart-add-range", [], {}),
    ("cart-clear", [], {}),
    ("cart-submit", [], {}),
    ("group-cancel", ["{group}"], {}),
    ("group-extend", ["{group}"], {}),
    ("group-rebook", ["{group}"], {}),
    ("group-collaborators", ["{group}"], {}),
    ("group-favorite", ["{group}"], {"name": "x"}),
    ("booking-cancel", ["{booking}"], {}),
    ("calendar-key-regenerate", [], {}),
    ("patch-list", [], {"patch_list": "a b"}),
    ("token-revoke", [1], {}),
    ("profile", [], {"email": "x@example.org"}),
    ("password_change", [], {}),
    ("logout", [], {}),
])
def test_every_page_form_needs_the_csrf_token(member, session, name, args, data):
    """A browser POST without the CSRF token is refused with 403 before the view runs (nothing changes)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    args = [session.pk if a == "{group}" else session.bookings.get().pk if a == "{booking}" else a for a in args]
    before = _state(session)
    response = client.post(reverse(name, args=args), data)
    assert response.status_code == 403
    assert _state(session) == before


@pytest.mark.parametrize("target", [
    "https://evil.example.org/", "//evil.example.org/", "///evil.example.org", "https:evil.example.org",
    "\\\\evil.example.org", "/\\evil.example.org", "javascript:alert(1)",
])
def test_next_never_leaves_the_site(web, session, target):
    """After an action, `next` pointing at another host (or a script) is replaced by the page's own URL."""
    response = web.post(reverse("group-cancel", args=[session.pk]), {"next": target})
    assert response.status_code == 302
    assert response["Location"] == reverse("my-bookings")


def test_next_within_the_site_is_kept(web, session):
    """A relative `next` on this site is followed."""
    response = web.post(reverse("group-cancel", args=[session.pk]), {"next": "/?week=2026-12-07"})
    assert response["Location"] == "/?week=2026-12-07"


EVIL = '<script>alert("x")</script>'


def test_user_text_is_escaped_on_the_week_grid_and_device_page(web, member, now):
    """Usernames, device and type names and maintenance reasons are escaped in the hand-built grid cells and
    in templates; no raw markup from the database reaches the page."""
    device = DeviceFactory(name=f'Dev {EVIL}" onmouseover="x', device_type=DeviceTypeFactory(name=f"Type {EVIL}"))
    evil_user = UserFactory(username='eve"<b>')
    BookingFactory(group=BookingGroupFactory(owner=evil_user, message=EVIL), device=device, start=utc(2, 7),
                   end=utc(2, 12), status="confirmed")
    MaintenanceWindowFactory(device=device, start=utc(4, 7), end=utc(4, 12), reason=f'{EVIL}" style="x')
    for url in [reverse("schedule"), reverse("device", args=[device.pk])]:
        html = web.get(url).content.decode()
        assert "<script>alert" not in html, url
        assert '" onmouseover="x' not in html and '" style="x' not in html, url
        assert 'eve"<b>' not in html, url
    grid = web.get(reverse("schedule")).content.decode()
    assert "eve&quot;&lt;b&gt;" in grid  # the holder's name, escaped
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in grid  # maintenance reason / names in titles


def test_unknown_calendar_feed_keys_are_404(db, member):
    """Unknown, short and empty keys (and keys of inactive members) answer 404 with no data."""
    member.calendar_key_digest = secret_digest("k" * 30)
    member.save()
    anon = Client()
    assert anon.get(f"/calendar/{'k' * 30}.ics").status_code == 200
    for key in ["x" * 30, "k" * 29, "", "kk"]:
        assert anon.get(f"/calendar/{key}.ics").status_code == 404, key
    UserFactory(username="blank")
    assert anon.get("/calendar/.ics").status_code == 404
    member.is_active = False
    member.save()
    assert anon.get(f"/calendar/{'k' * 30}.ics").status_code == 404


def test_user_text_is_escaped_on_my_bookings(web, member, roadm):
    """A session's message, its collaborators' names and the device name are escaped on the bookings page."""
    roadm.name = f"R {EVIL}"
    roadm.save()
    group = BookingGroupFactory(owner=member, message=EVIL)
    group.collaborators.add(UserFactory(username='col"<i>'))
    BookingFactory(group=group, device=roadm, start=utc(3, 7), end=utc(3, 12), status="pending")
    html = web.get(reverse("my-bookings")).content.decode()
    assert "<script>alert" not in html
    assert 'col"<i>' not in html
    assert "&lt;script&gt;" in html
