"""The week schedule page: grid content, filters, query counts, adding cells to the cart."""

import re
from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory, SiteFactory
from scheduler.cart import Cart
from scheduler.tests.factories import BookingFactory, BookingGroupFactory, MaintenanceWindowFactory

pytestmark = pytest.mark.django_db


def utc(day, hour):
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def body(response) -> str:
    return response.content.decode()


def test_grid_shows_holders_status_capacity_and_own_bookings(web, member, other_member, roadm, now):
    """A cell names who holds it, colours it by status, shows "held/capacity" and marks your own."""
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=roadm, start=utc(2, 7), end=utc(2, 12), status="confirmed")
    BookingFactory(group=BookingGroupFactory(owner=member), device=roadm, start=utc(3, 12), end=utc(3, 18), status="pending")
    html = body(web.get(reverse("schedule")))
    assert "ROADM 10" in html and "ROADM" in html
    assert '<span class="holders">other</span><span class="cap">1/2</span>' in html
    assert '<span class="bar s-confirmed"></span>' in html  # confirmed colour (a class: CSP)
    assert '<col span="3" class="today">' in html  # today (Tuesday 1 Dec) is shaded
    assert "(today)" in html
    assert 'mine' in html and "your booking" in html
    assert "Europe/Dublin" in html
    assert 'type="date" name="week" value="2026-11-30"' in html  # the date picker shows this week, ISO for the browser


def test_full_and_maintenance_cells_cannot_be_ticked(web, member, other_member, teraflex, now):
    """A device at capacity or under maintenance offers no checkbox for that slot."""
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=teraflex, start=utc(2, 7), end=utc(2, 12), status="confirmed")
    MaintenanceWindowFactory(device=teraflex, start=utc(3, 7), end=utc(3, 12), reason="firmware")
    html = body(web.get(reverse("schedule")))
    assert f'value="{teraflex.pk}|2026-12-02|morning"' not in html
    assert f'value="{teraflex.pk}|2026-12-03|morning"' not in html
    assert "maintenance: firmware" in html
    assert f'value="{teraflex.pk}|2026-12-02|afternoon"' in html
    # The morning of today has passed (09:00): no checkbox; the afternoon is free.
    assert f'value="{teraflex.pk}|2026-12-01|morning"' not in html
    assert f'value="{teraflex.pk}|2026-12-01|afternoon"' in html


def test_search_by_port_label_and_comma_terms(web, roadm, teraflex, now):
    """The search box matches port labels and takes several comma-separated terms."""
    other = DeviceFactory(name="Spool 7", device_type=DeviceTypeFactory(name="Fibre"))
    html = body(web.get(reverse("schedule"), {"q": "tf_1"}))
    assert "TeraFlex 1" in html and "ROADM 10" not in html
    html = body(web.get(reverse("schedule"), {"q": "tf_1, spool"}))
    assert "TeraFlex 1" in html and other.name in html and "ROADM 10" not in html


def test_filters_and_week_navigation(web, roadm, now):
    """Site filter and a chosen week are applied; navigation links keep the filters."""
    site = SiteFactory(name="Lab B")
    DeviceFactory(name="In B", site=site)
    html = body(web.get(reverse("schedule"), {"site": site.pk, "week": "2026-12-10"}))
    assert "In B" in html and "ROADM 10" not in html
    assert "Mon 7 Dec" in html
    assert f"site={site.pk}" in html and "week=2026-11-30" in html and "week=2026-12-14" in html


def test_htmx_gets_only_the_grid(web, roadm, now):
    """An htmx request receives the grid fragment, not the whole page."""
    html = body(web.get(reverse("schedule"), HTTP_HX_REQUEST="true"))
    assert "<table class=\"grid\"" in html and "<html" not in html


def _devices(n):
    kind = DeviceTypeFactory(name="ROADM")
    for i in range(n):
        device = DeviceFactory(name=f"R{i}", device_type=kind)
        PortFactory(device=device, name=f"r{i}_p1")
        BookingFactory(device=device, start=utc(2, 7), end=utc(3, 7), status="pending")


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_does_not_grow_with_devices(web, now, count, django_assert_max_num_queries):
    """The grid costs the same number of queries for 5 or 50 devices (and so for the lab's ~200)."""
    _devices(count)
    with django_assert_max_num_queries(10):
        response = web.get(reverse("schedule"))
    assert body(response).count("<tr><th scope=\"row\"") == count


def test_tick_cells_into_cart(web, roadm, now):
    """Ticked cells become cart items; adjacent slots of one device merge into one window."""
    response = web.post(reverse("cart-add-cells"), {"cell": [
        f"{roadm.pk}|2026-12-02|morning", f"{roadm.pk}|2026-12-02|afternoon", "junk", f"{roadm.pk}|2026-12-02|nope",
    ]})
    assert response.status_code == 302
    items = Cart(web.session).items
    assert len(items) == 1
    assert items[0]["start"] == utc(2, 7) and items[0]["end"] == utc(2, 18)


def test_tick_cells_with_htmx_updates_the_badge(web, roadm, now):
    """With htmx the response is a fragment and an event carrying the cart's new size."""
    response = web.post(reverse("cart-add-cells"), {"cell": [f"{roadm.pk}|2026-12-03|overnight"]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response["HX-Trigger"] == '{"cartChanged": {"count": 1}}'
    assert "Review the cart" in body(response)


def test_anonymous_cannot_add_to_cart(roadm):
    response = Client().post(reverse("cart-add-cells"), {"cell": [f"{roadm.pk}|2026-12-03|overnight"]})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_names_are_escaped(web, other_member, now):
    """Device and user names are shown as text, never as markup."""
    device = DeviceFactory(name="<script>alert(1)</script>")
    other_member.username = "<b>bo</b>"
    other_member.save()
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=device, start=utc(2, 7), end=utc(2, 12))
    html = body(web.get(reverse("schedule")))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "<b>bo</b>" not in html and "&lt;b&gt;bo&lt;/b&gt;" in html


def test_cells_in_the_cart_are_outlined(web, roadm, now):
    """After adding cells, the grid marks the slots that are in the member's cart."""
    web.post(reverse("cart-add-cells"), {"cell": [f"{roadm.pk}|2026-12-02|morning"]})
    html = body(web.get(reverse("schedule")))
    assert html.count('<td class="in-cart">') == 1
    assert "in your cart" in html


def test_free_cell_checkbox_is_named_by_device_day_and_slot(web, roadm, now):
    """A free cell's checkbox is labelled by its row (device) and column (day and slot) headers."""
    html = body(web.get(reverse("schedule")))
    value = f"{roadm.pk}|2026-12-02|afternoon"
    start = html.index(f'value="{value}"')
    cell = html[start:html.index("</td>", start)]
    # Columns: Mon 30 Nov is 0–2, Tue 1 Dec 3–5, Wed 2 Dec afternoon is 7.
    assert f'aria-labelledby="d{roadm.pk} k7 cell-free"' in cell
    assert f'id="d{roadm.pk}">ROADM 10</a>' in html
    assert '<th scope="col" id="k7"><span class="visually-hidden">Wed 2 Dec </span>12–18</th>' in html


def test_devices_in_natural_order_and_unbookable_ones_say_why(web, now):
    """Rows follow natural order within a type; a device that cannot be booked says why."""
    kind = DeviceTypeFactory(name="EDFA")
    for name in ["EDFA 10", "EDFA 2"]:
        DeviceFactory(name=name, device_type=kind)
    DeviceFactory(name="EDFA 1", device_type=kind, status="spare")
    DeviceFactory(name="PDU 1", device_type=DeviceTypeFactory(name="PDU", is_schedulable=False))
    html = body(web.get(reverse("schedule")))
    assert html.index(">EDFA 1<") < html.index(">EDFA 2<") < html.index(">EDFA 10<")
    assert re.search(r">EDFA 1</a> <span class=\"cap\">×\d</span> <span class=\"muted\">\(spare\)</span>", html)
    assert '<span class="muted">(not bookable)</span>' in html


def test_schedule_page_is_sent_compressed(web, roadm, now):
    """Browsers asking for gzip get the (large) grid page compressed."""
    plain = web.get(reverse("schedule"))
    zipped = web.get(reverse("schedule"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert len(zipped.content) < len(plain.content) / 3



def test_small_answers_are_not_gzipped(client, db):
    """Under 1 KiB (a booking's JSON here) the padded gzip saves less than a packet and costs CPU."""
    from scheduler.tests.factories import BookingFactory

    booking = BookingFactory()
    client.force_login(booking.group.owner)
    small = client.get(f"/api/scheduler/bookings/{booking.pk}/", HTTP_ACCEPT_ENCODING="gzip")
    assert small.status_code == 200 and 200 < len(small.content) < 1024
    assert not small.has_header("Content-Encoding")
