"""Insight pages in a real browser: from the week schedule to "what is free" and one click into the
cart; a refused cart item swapped for a suggested substitute; the demand heatmap at phone and desktop
widths; the managers' reports with their charts."""

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory
from scheduler.cart import lab_zone
from scheduler.services.booking import booking_group_approve, booking_request
from scheduler.tests.browser.test_booking_journey import next_wednesday, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_the_schedule_to_what_is_free_into_the_cart(browser_page, lab, screenshot):
    page = browser_page
    UserFactory(username="ana")
    sign_in(page, "ana")
    page.get_by_role("link", name="What is free this week").click()
    expect(page.get_by_role("heading", name="What is free", exact=True)).to_be_visible()
    page.get_by_role("button", name="Add to cart: TeraFlex 1").click()
    expect(page.locator(".message-success")).to_contain_text("Added TeraFlex 1")
    screenshot(page, "free")
    page.goto("/cart/")
    expect(page.locator("#cart-items tbody tr")).to_have_count(1)
    expect(page.locator("#cart-items")).to_contain_text("TeraFlex 1")


def test_cart_swaps_a_refused_item_for_a_substitute(browser_page, lab, screenshot):
    page = browser_page
    spare = DeviceFactory(name="TeraFlex 2", device_type=DeviceTypeFactory(name="TeraFlex", default_capacity=1))
    PortFactory(device=spare, name="tf_2")  # as many switch ports as TeraFlex 1
    day = next_wednesday()
    start = datetime.combine(day, time(7), tzinfo=lab_zone())
    group = booking_request(requester=UserFactory(username="bo"),
                            items=[{"device": lab["teraflex"], "start": start, "end": start + timedelta(hours=5)}])
    booking_group_approve(group=group, actor=lab["manager"])
    UserFactory(username="ana")
    sign_in(page, "ana")
    page.goto("/cart/")
    page.get_by_role("combobox", name="Devices").fill("TeraFlex 1")
    page.get_by_role("listbox", name="Matching devices").get_by_role("option", name="TeraFlex 1").click()
    expect(page.locator(".chip")).to_have_text(["TeraFlex 1×"])
    page.get_by_label("From").fill(str(day))
    page.get_by_label("To (inclusive)").fill(str(day))
    page.get_by_label("Slot").select_option("morning")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("[data-substitutes]")).to_contain_text("TeraFlex 2")
    screenshot(page, "cart-substitutes")
    page.get_by_role("button", name="Use TeraFlex 2 instead for item 1").click()
    expect(page.locator("#cart-items")).to_contain_text("TeraFlex 2")
    expect(page.locator("#cart-items .outcome-free")).to_have_count(1)
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    assert spare.bookings.count() == 1


@pytest.mark.parametrize("width", [390, 1280])
def test_demand_heatmap_renders_at_phone_and_desktop_widths(browser_page, lab, screenshot, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    UserFactory(username="ana")
    sign_in(page, "ana")
    page.goto("/demand/")
    expect(page.locator("svg.heatmap").first).to_be_visible()
    expect(page.locator(".heat-legend")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, overflow
    screenshot(page, f"demand-{width}")


def test_manager_reports_with_charts(browser_page, live_server, lab, screenshot):
    # The admin asks for /favicon.ico (404): only script errors count there, as in the booking journey.
    admin = browser_page.context.browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = admin.new_page()
    page.on("pageerror", lambda error: browser_page.errors.append(f"admin pageerror: {error}"))
    lab["manager"].set_password("correct horse battery staple")
    lab["manager"].save()
    page.goto("/admin/login/?next=/admin/scheduler/booking/reports/")
    page.locator("#id_username").fill("boss")
    page.locator("#id_password").fill("correct horse battery staple")
    page.locator("input[type=submit]").click()
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("#report-types")).to_contain_text("ROADM")
    screenshot(page, "admin-reports")
    page.goto("/admin/")
    expect(page.locator(".dashboard-cards li")).to_have_count(5)
    screenshot(page, "admin-dashboard-cards")
    admin.close()
