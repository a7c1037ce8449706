"""What a demanding member checks beyond the main journey: refusals beside the form that caused them
(with the values kept), favorites booked again, the grid by keyboard with named checkboxes, and the
pages at laptop sizes in both themes."""

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from core.tests.factories import UserFactory
from scheduler.cart import lab_zone
from scheduler.services.booking import booking_request
from scheduler.tests.browser.test_booking_journey import next_wednesday, sign_in
from scheduler.tests.factories import BookingFactory, BookingGroupFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_refused_extend_favorite_and_keyboard_grid(browser_page, lab, screenshot):
    page = browser_page
    page.set_viewport_size({"width": 1280, "height": 720})
    day = next_wednesday()
    ana = UserFactory(username="ana")
    teraflex = lab["teraflex"]
    start = datetime.combine(day, time(7), tzinfo=lab_zone())
    group = booking_request(requester=ana, items=[{"device": teraflex, "start": start, "end": start + timedelta(hours=5)}])
    # Someone else holds the TeraFlex (capacity 1) right after: extending into it is refused.
    BookingFactory(group=BookingGroupFactory(owner=UserFactory(username="bo")), device=teraflex,
                   start=start + timedelta(hours=5), end=start + timedelta(hours=11), status="confirmed")
    sign_in(page, "ana")

    # The grid by keyboard: a skip link jumps over the 21 columns × devices to the add button.
    page.get_by_role("link", name="Next week ▶").click()
    checkbox = page.get_by_role("checkbox", name=f"ROADM 10 {day:%a %-d %b} 12–18 free", exact=True)
    expect(checkbox).to_have_count(1)
    skip = page.get_by_role("link", name="Skip the grid to “Add ticked cells to cart”")
    skip.focus()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Add ticked cells to cart")).to_be_focused()
    grid = page.locator(".grid-wrap")
    assert grid.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the week does not fit 1280 px"
    screenshot(page, "schedule-1280")

    # Extend into the full slot: the reason is beside the form, which stays open with what was typed.
    page.goto("/bookings/")
    card = page.locator(f'section[data-session="{group.pk}"]')
    card.locator("summary").click()
    card.get_by_label("New end day").fill(str(day))
    card.get_by_label("End time").fill("15:00")
    card.get_by_role("button", name="Extend").click()
    card = page.locator(f'section[data-session="{group.pk}"]')
    error = card.locator(f"#extend-error-{group.pk}")
    expect(error).to_contain_text("TeraFlex 1")
    expect(card.locator("details")).to_have_attribute("open", "")
    expect(card.get_by_label("New end day")).to_have_value(str(day))
    expect(card.get_by_label("End time")).to_have_value("15:00")
    expect(page.locator("#messages .message-error")).to_have_count(0)
    screenshot(page, "my-bookings-refused")

    # Save as favorite, then book it again from the favorites page.
    card.get_by_label("Favorite name").fill("TF rig")
    card.get_by_role("button", name="Save as favorite").click()
    expect(page.locator(".message-success")).to_contain_text("Saved “TF rig” with 1 device(s)")
    page.get_by_role("link", name="Favorites").click()
    page.get_by_role("button", name="Book again").click()
    expect(page.get_by_role("heading", name="Booking cart")).to_be_visible()
    expect(page.locator("#id_devices option:checked")).to_have_text(["TeraFlex 1"])

    # Laptop size and dark theme: the cart and my bookings fit without sideways scrolling.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.emulate_media(color_scheme="dark")
    for url in ("/cart/", "/bookings/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), url
    screenshot(page, "my-bookings-dark-1440")
