"""The cart's searchable device picker: type to filter by name, type or port label, pick with the
keyboard, chosen devices as removable chips; the form sends exactly the chosen devices."""

import pytest
from playwright.sync_api import expect

from core.tests.factories import UserFactory
from scheduler.tests.browser.axe import assert_no_axe_violations
from scheduler.tests.browser.test_booking_journey import next_wednesday, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_pick_and_remove_by_keyboard(browser_page, lab, screenshot):
    page = browser_page
    UserFactory(username="ana")
    sign_in(page, "ana")
    page.goto("/cart/")
    picker = page.get_by_role("combobox", name="Devices")
    listbox = page.get_by_role("listbox", name="Matching devices")
    expect(page.locator("#id_devices")).to_be_hidden()

    # By port label: "roadm_10" matches only ROADM 10 (its ports roadm_10_p2, roadm_10_line).
    picker.focus()
    page.keyboard.type("roadm_10")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(listbox.get_by_role("option")).to_contain_text("ROADM 10")
    expect(page.locator(".picker-status")).to_have_text("1 matching device.")
    page.keyboard.press("Enter")
    expect(page.locator(".chip")).to_have_text(["ROADM 10×"])
    expect(page.locator(".picker-status")).to_contain_text("ROADM 10 added. 1 device chosen.")

    # By type: "amplifier" lists the six EDFAs; ↓ ↓ Enter picks the second one.
    page.keyboard.press("Control+A")
    page.keyboard.type("amplifier")
    expect(listbox.get_by_role("option")).to_have_count(6)
    page.keyboard.press("ArrowDown")
    expect(picker).to_have_attribute("aria-activedescendant", listbox.get_by_role("option").nth(1).get_attribute("id"))
    page.keyboard.press("Enter")
    expect(listbox.get_by_role("option").nth(1)).to_have_attribute("aria-selected", "true")
    expect(page.locator(".chip")).to_have_count(2)
    screenshot(page, "cart-device-picker-open")
    assert_no_axe_violations(page)  # with the list open, in the light theme
    page.emulate_media(color_scheme="dark")
    assert_no_axe_violations(page)
    page.emulate_media(color_scheme="light")
    # By name, comma-separated terms match any of them.
    page.keyboard.press("Control+A")
    page.keyboard.type("teraflex, nothing-like-this")
    expect(listbox.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(listbox).to_be_hidden()
    expect(page.locator(".chip")).to_have_count(3)
    screenshot(page, "cart-device-picker")
    assert_no_axe_violations(page)

    # Backspace in the empty box removes the last chip; a chip's × button removes that one.
    page.keyboard.press("Control+A")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    expect(page.locator(".chip")).to_have_count(2)
    remove = page.get_by_role("button", name="Remove ROADM 10")
    remove.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".chip")).to_have_count(1)
    chosen = page.locator("#id_devices option:checked").all_inner_texts()
    assert len(chosen) == 1 and chosen[0].startswith("EDFA"), chosen

    # The form sends exactly the chosen device.
    day = next_wednesday()
    page.get_by_label("From").fill(str(day))
    page.get_by_label("To (inclusive)").fill(str(day))
    page.get_by_label("Slot").select_option("morning")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-items tbody tr")).to_have_count(1)
    expect(page.locator("#cart-items")).to_contain_text(chosen[0])


def test_submitting_without_a_device_says_so(browser_page, lab):
    page = browser_page
    UserFactory(username="ana")
    sign_in(page, "ana")
    page.goto("/cart/")
    day = next_wednesday()
    page.get_by_label("From").fill(str(day))
    page.get_by_label("To (inclusive)").fill(str(day))
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator(".picker-status")).to_have_text("Choose at least one device.")
    expect(page.get_by_role("combobox", name="Devices")).to_be_focused()
