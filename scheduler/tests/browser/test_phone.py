"""A phone, 390 px wide: every member page is usable without zooming. The page never scrolls sideways
(the week grid scrolls inside its own box), every button is at least 24 × 24 px (WCAG 2.2, 2.5.8),
form controls fit the screen (forms stack), and axe finds nothing. Screenshots of the schedule, the
cart and My bookings go to ci-artifacts/screenshots/."""

import pytest
from playwright.sync_api import expect

from core.tests.factories import UserFactory
from scheduler.services.booking import booking_request
from scheduler.tests.browser.axe import assert_no_axe_violations
from scheduler.tests.browser.test_booking_journey import next_wednesday, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}

LAYOUT_PROBLEMS = """() => {
    const problems = [];
    const width = window.innerWidth;
    if (document.documentElement.scrollWidth > width) {
        problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px > ${width} px`);
    }
    const visible = e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== "hidden"; };
    for (const e of document.querySelectorAll("button, input[type=submit], a.button, [role=button]")) {
        if (!visible(e)) continue;
        const r = e.getBoundingClientRect();
        if (r.width < 24 || r.height < 24) problems.push(`target ${Math.round(r.width)}×${Math.round(r.height)} px: ${e.outerHTML.slice(0, 100)}`);
    }
    for (const e of document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea")) {
        if (!visible(e) || e.closest(".grid-wrap")) continue;
        const r = e.getBoundingClientRect();
        if (r.right > width + 0.5) problems.push(`control beyond the screen's edge (${Math.round(r.right)} px): ${e.outerHTML.slice(0, 100)}`);
    }
    return problems;
}"""


def assert_fits_a_phone(page):
    problems = page.evaluate(LAYOUT_PROBLEMS)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)


def test_member_pages_work_on_a_phone(new_page, lab, screenshot):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    ana = UserFactory(username="ana")
    UserFactory(username="bo")
    day = next_wednesday()
    # A session on My bookings, and a cart with items.
    from datetime import datetime, time

    from scheduler.cart import lab_zone
    start = datetime.combine(day, time(7), tzinfo=lab_zone())
    booking_request(requester=ana, items=[{"device": lab["roadm"], "start": start, "end": start.replace(hour=12)}],
                    collaborators=[], message="OSNR sweep")
    sign_in(page, "ana")
    page.goto(f"/?week={day}")
    page.locator(f'input[value="{lab["teraflex"].pk}|{day}|afternoon"]').check()
    page.get_by_role("button", name="Add ticked cells to cart").click()
    expect(page.locator("#grid-feedback")).to_contain_text("Added 1 slot(s)")

    grid = page.locator(".grid-wrap")
    assert grid.evaluate("e => e.scrollWidth > e.clientWidth"), "the week grid scrolls inside its own box"
    assert_fits_a_phone(page)
    screenshot(page, "phone-schedule", full_page=False)

    pages = {"/cart/": "phone-cart", "/bookings/": "phone-my-bookings", "/favorites/": None,
             f"/devices/{lab['roadm'].pk}/": "phone-device", "/patch-list/": None, "/calendar/": None,
             "/accounts/profile/": None, "/accounts/tokens/": None, "/accounts/password/": None}
    for url, name in pages.items():
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
        if url == "/bookings/":
            page.locator("section.session summary").first.press("Enter")  # open the actions: they stack too
        assert_fits_a_phone(page)
        if url == "/cart/":  # the form stacks: "To" sits below "From", not beside it
            first, last = page.get_by_label("From").bounding_box(), page.get_by_label("To (inclusive)").bounding_box()
            assert last["y"] >= first["y"] + first["height"], (first, last)
        assert_no_axe_violations(page)
        if name:
            screenshot(page, name)


def test_signed_out_pages_work_on_a_phone(new_page, db, screenshot):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    for url in ("/accounts/login/", "/accounts/register/"):
        page.goto(url)
        assert_fits_a_phone(page)
    screenshot(page, "phone-register")
