"""Content Security Policy: every answer forbids inline script and style and foreign origins, and no
page the project renders relies on them (no inline <script>, no <style> block, no style attribute)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from scheduler.tests.factories import BookingFactory, BookingGroupFactory

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
STYLE_BLOCK = re.compile(r"<style\b", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle=", re.I)


def policy_of(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


def assert_no_inline(html: str, url: str) -> None:
    for pattern in (INLINE_SCRIPT, STYLE_BLOCK, STYLE_ATTRIBUTE):
        match = pattern.search(html)
        assert match is None, f"{url}: {html[max(0, match.start() - 80):match.end() + 80]!r}"


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/", "/api/docs/", "/healthz"])
def test_every_answer_carries_a_strict_policy(client, db, url):
    policy = policy_of(client.get(url))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in str(policy) and "'unsafe-eval'" not in str(policy) and "*" not in str(policy)


def test_member_pages_have_no_inline_script_or_style(web, member, roadm):
    group = BookingGroupFactory(owner=member)
    BookingFactory(group=group, device=roadm, status="confirmed")
    roadm.tags.create(name="core", color="#1f77b4")
    web.post(reverse("cart-add-range"), {"devices": [roadm.pk], "first_day": "2099-01-05", "last_day": "2099-01-05",
                                         "preset": "morning"})
    for url in ["/", "/?week=2099-01-05", "/cart/", "/bookings/", "/favorites/", f"/devices/{roadm.pk}/", "/patch-list/",
                "/calendar/", "/accounts/profile/", "/accounts/tokens/", "/accounts/password/"]:
        response = web.get(url)
        assert response.status_code == 200, url
        assert_no_inline(response.content.decode(), url)
    assert 'id="cart-items"' in web.get("/cart/").content.decode()


def test_signed_out_pages_and_api_docs_have_no_inline_script_or_style(db):
    client = Client()
    for url in ["/accounts/login/", "/accounts/register/", "/api/docs/", "/admin/login/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_inline(response.content.decode(), url)


def test_admin_pages_have_no_inline_script_or_style(manager, roadm):
    client = Client()
    client.force_login(manager)
    group = BookingGroupFactory(owner=manager)
    BookingFactory(group=group, device=roadm, status="pending")
    roadm.tags.create(name="core", color="#1f77b4")
    for url in ["/admin/", "/admin/scheduler/booking/", f"/admin/scheduler/bookinggroup/{group.pk}/change/",
                "/admin/scheduler/maintenancewindow/add/", "/admin/inventory/device/",
                f"/admin/inventory/device/{roadm.pk}/change/", "/admin/inventory/tag/", "/admin/core/notification/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_inline(response.content.decode(), url)
