"""Device page, attachment download and the iCal feeds."""

import re
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from core.hashing import secret_digest
from core.models import AuditEvent
from inventory.models import Attachment
from inventory.tests.factories import DeviceFactory, TagFactory
from scheduler.services.booking import booking_request
from scheduler.tests.factories import BookingFactory, BookingGroupFactory

pytestmark = pytest.mark.django_db


def utc(day, hour):
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def test_device_page_shows_details_ports_tags_and_calendar(web, other_member, roadm, now):
    roadm.tags.add(TagFactory(name="c-band"))
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=roadm, start=utc(3, 7), end=utc(3, 12), status="confirmed")
    html = web.get(reverse("device", args=[roadm.pk])).content.decode()
    assert "roadm_10_p2" in html and "c-band" in html
    assert "Confirmed</span> other" in html
    assert "Book ROADM 10" in html


def test_attachment_download_needs_sign_in(web, roadm):
    attachment = Attachment(device=roadm, original_name="manual.pdf", content_type="application/pdf", size=5)
    attachment.file.save("manual.pdf", ContentFile(b"%PDF-"), save=True)
    url = reverse("device-attachment", args=[roadm.pk, attachment.pk])
    assert Client().get(url).status_code == 302
    response = web.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-"
    assert 'filename="manual.pdf"' in response["Content-Disposition"]


def _new_feed_key(web) -> str:
    """Create a feed URL on the calendar page and read its key from the page that shows it once."""
    html = web.post(reverse("calendar-key-regenerate"), follow=True).content.decode()
    match = re.search(r'data-new-key>https?://testserver/calendar/([^<]+)\.ics<', html)
    assert match, html
    return match.group(1)


def _events(response):
    calendar = Calendar.from_ical(response.content)
    return list(calendar.walk("VEVENT"))


def test_personal_feed(web, member, other_member, roadm, teraflex, now):
    """The secret URL lists the member's own and shared sessions' active bookings, in UTC."""
    own = booking_request(requester=member, items=[{"device": roadm, "start": utc(2, 7), "end": utc(2, 12)}])
    booking_request(requester=other_member, collaborators=["member"], items=[{"device": teraflex, "start": utc(3, 7), "end": utc(3, 12)}])
    booking_request(requester=other_member, items=[{"device": teraflex, "start": utc(4, 7), "end": utc(4, 12)}])
    key = _new_feed_key(web)
    response = Client().get(reverse("calendar-feed", args=[key]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    events = _events(response)
    assert len(events) == 2
    first = events[0]
    assert str(first["UID"]) == f"booking-{own.bookings.get().pk}@testserver"
    assert first.decoded("DTSTART") == utc(2, 7) and first.decoded("DTEND") == utc(2, 12)
    assert first.decoded("DTSTART").tzinfo is not None and first.decoded("DTSTART").utcoffset().total_seconds() == 0
    assert "DTSTAMP" in first and str(first["SUMMARY"]) == "ROADM 10 (pending)"


def test_regenerated_key_replaces_the_old_url(web, member):
    old = _new_feed_key(web)
    new = _new_feed_key(web)
    assert new != old
    assert Client().get(reverse("calendar-feed", args=[old])).status_code == 404
    assert Client().get(reverse("calendar-feed", args=[new])).status_code == 200


def test_feed_url_is_shown_once_and_only_its_digest_is_stored(web, member):
    """Like an API token: the page after creating shows the URL; reloading it does not, and the
    database holds the key's SHA-256 digest, never the key."""
    key = _new_feed_key(web)
    member.refresh_from_db()
    assert member.calendar_key_digest == secret_digest(key) and key not in member.calendar_key_digest
    again = web.get(reverse("calendar-settings"))
    html = again.content.decode()
    assert key not in html and "You have a feed URL" in html
    assert AuditEvent.objects.filter(action="core.user.calendar_key_regenerated", actor=member).count() == 1
    assert key not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_turning_the_feed_off_kills_its_urls(web, member, roadm):
    """The member can turn the feed off: the personal and device URLs with the key answer 404."""
    key = _new_feed_key(web)
    response = web.post(reverse("calendar-key-revoke"), follow=True)
    assert "You have no feed URL yet." in response.content.decode()
    assert Client().get(reverse("calendar-feed", args=[key])).status_code == 404
    assert Client().get(reverse("device-calendar-feed-key", args=[key, roadm.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="core.user.calendar_key_revoked", actor=member).count() == 1
    assert web.get(reverse("calendar-key-revoke")).status_code == 405


def test_unknown_feed_key_is_404(db):
    assert Client().get(reverse("calendar-feed", args=["x" * 40])).status_code == 404
    assert Client().get(reverse("calendar-feed", args=["short"])).status_code == 404


def test_device_feed_for_signed_in_users(web, other_member, roadm, now):
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=roadm, start=utc(3, 7), end=utc(3, 12), status="confirmed")
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=roadm, start=utc(4, 7), end=utc(4, 12), status="cancelled")
    url = reverse("device-calendar-feed", args=[roadm.pk])
    assert Client().get(url).status_code == 302
    events = _events(web.get(url))
    assert [str(e["SUMMARY"]) for e in events] == ["ROADM 10 (confirmed)"]
    assert str(events[0]["STATUS"]) == "CONFIRMED"


def test_device_page_query_count(web, other_member, roadm, now, django_assert_max_num_queries):
    """The device page's queries don't grow with its bookings."""
    for day in range(2, 20):
        BookingFactory(group=BookingGroupFactory(owner=other_member), device=roadm, start=utc(day, 7), end=utc(day, 12), status="confirmed")
    with django_assert_max_num_queries(12):
        assert web.get(reverse("device", args=[roadm.pk])).status_code == 200


def test_unknown_device_is_404(web):
    assert web.get(reverse("device", args=[999])).status_code == 404


def test_device_feed_for_calendar_apps_by_key(web, member, other_member, roadm, now):
    """A calendar app subscribes to a device with the member's feed key; a wrong key is 404."""
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=roadm, start=utc(3, 7), end=utc(3, 12), status="pending")
    key = _new_feed_key(web)
    url = reverse("device-calendar-feed-key", args=[key, roadm.pk])
    assert reverse("device-calendar-feed-key", args=["KEY", roadm.pk]) in web.get(reverse("device", args=[roadm.pk])).content.decode()
    events = _events(Client().get(url))
    assert [str(e["SUMMARY"]) for e in events] == ["ROADM 10 (pending)"]
    assert str(events[0]["STATUS"]) == "TENTATIVE"
    assert Client().get(reverse("device-calendar-feed-key", args=["y" * 40, roadm.pk])).status_code == 404


def test_feed_is_well_formed_rfc5545(web, member, now):
    """The feed parses back with icalendar, round-trips, uses CRLF and folds lines at 75 octets."""
    device = DeviceFactory(name="Spektrum-Analysator Ω " + "x" * 70)  # names hold at most 100 characters
    booking_request(requester=member, message="ü" * 200, items=[{"device": device, "start": utc(2, 7), "end": utc(2, 12)}])
    body = Client().get(reverse("calendar-feed", args=[_new_feed_key(web)])).content
    assert body.startswith(b"BEGIN:VCALENDAR\r\n") and body.endswith(b"END:VCALENDAR\r\n")
    lines = body.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and len(line) <= 75 for line in lines)
    calendar = Calendar.from_ical(body)
    assert calendar.to_ical() == body
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])
    (event,) = calendar.walk("VEVENT")
    for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"):
        assert prop in event
    assert str(event["SUMMARY"]).startswith("Spektrum-Analysator Ω x")


def test_calendar_page_offers_a_webcal_link(web, member):
    """Besides the URL to copy, a webcal:// link opens the member's calendar app."""
    html = web.post(reverse("calendar-key-regenerate"), follow=True).content.decode()
    key = re.search(r"/calendar/([^<]+)\.ics<", html).group(1)
    assert f'href="webcal://testserver/calendar/{key}.ics"' in html


def test_tags_are_readable_on_light_colours(web, roadm):
    """A tag on a light colour gets dark text (white on cyan would be unreadable), a dark one white text."""
    roadm.tags.add(TagFactory(name="olc", color="#17becf"), TagFactory(name="core", color="#1f77b4"))
    html = web.get(reverse("device", args=[roadm.pk])).content.decode()
    # The colour itself is painted by core/paint.js from data-paint-bg (no style attribute: CSP).
    assert '<span class="tag dark-ink" data-paint-bg="#17becf">olc</span>' in html
    assert '<span class="tag " data-paint-bg="#1f77b4">core</span>' in html
