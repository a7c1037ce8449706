"""What a lab manager sees at once: the dashboard's captions are readable (WCAG AA contrast) in the
light and dark admin themes, and the booking and session lists show status next to device and owner,
on screen at 1280 px beside the filter panel."""

import re

import pytest
from playwright.sync_api import expect

from scheduler.tests.browser.test_accessibility import demo_sign_in_admin

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def luminance(rgb: str) -> float:
    channels = [int(c) / 255 for c in re.findall(r"\d+(?:\.\d+)?", rgb)[:3]]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    high, low = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_helper_matches_wcag():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert contrast("rgb(65, 120, 147)", "rgb(65, 118, 144)") < 1.05  # the unreadable captions


@pytest.mark.parametrize("theme", ["light", "dark", "auto-dark"])
def test_dashboard_captions_are_readable(new_page, demo_lab, screenshot, theme):
    page = new_page(viewport={"width": 1280, "height": 900}, color_scheme="dark" if theme == "auto-dark" else "light")
    demo_sign_in_admin(page)
    page.evaluate("theme => localStorage.setItem('theme', theme)", "auto" if theme == "auto-dark" else theme)
    page.reload()
    expected = "auto" if theme == "auto-dark" else theme
    expect(page.locator("html")).to_have_attribute("data-theme", expected)
    captions = page.locator("#scheduler-dashboard caption")
    assert captions.count() >= 4
    for i in range(captions.count()):
        caption = captions.nth(i)
        link = caption.locator("a")
        text_colour = link.evaluate("e => getComputedStyle(e).color")
        ground = caption.evaluate("e => getComputedStyle(e).backgroundColor")
        assert not ground.endswith(", 0)"), "the caption bar has no background of its own"
        ratio = contrast(text_colour, ground)
        assert ratio >= 4.5, f"{link.inner_text()!r}: {text_colour} on {ground} is {ratio:.2f}:1 ({theme})"
        assert link.evaluate("e => getComputedStyle(e).textDecorationLine") == "underline"
    screenshot(page, f"admin-dashboard-{theme}")


@pytest.mark.parametrize("url,columns", [
    ("/admin/scheduler/booking/", ["device", "owner", "status"]),
    ("/admin/scheduler/bookinggroup/", ["owner", "status"]),
])
def test_status_follows_device_and_owner_and_stays_on_screen_at_1280(new_page, demo_lab, screenshot, url, columns):
    page = new_page(viewport={"width": 1280, "height": 800})
    demo_sign_in_admin(page)
    page.goto(url)
    screenshot(page, "admin-" + url.strip("/").split("/")[-1] + "-1280", full_page=False)
    headers = [h.strip().lower() for h in page.locator("#result_list thead th").all_inner_texts()]
    headers = [h for h in headers if h]  # the action checkbox column has no text
    position = headers.index(columns[0])
    assert headers[position:position + len(columns)] == columns, headers
    results = page.locator("#changelist .results")
    assert results.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the list scrolls sideways at 1280 px"
    filters = page.locator("#changelist-filter").bounding_box()
    for header in page.locator("#result_list thead th").all():
        box = header.bounding_box()
        assert box["x"] + box["width"] <= filters["x"] + 1, f"{header.inner_text()!r} hides behind the filters"
    badge = page.locator("#result_list .status-badge").first
    expect(badge).to_be_visible()
