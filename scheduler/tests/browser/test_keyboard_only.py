"""A member books with the keyboard alone, with a visible focus at every step: sign in, open the
week grid, find the device, tick two cells, add them to the cart, choose a collaborator, submit, and
cancel the session from My bookings. No mouse event is sent: only key presses and typing. The step
count (key presses) is written to ci-artifacts/keyboard-booking-steps.txt."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from core.tests.factories import UserFactory
from scheduler.models import BookingGroup
from scheduler.tests.browser.test_booking_journey import PASSWORD, next_wednesday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MAX_TABS = 80

FOCUS_IS_VISIBLE = """async () => {
    await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const e = document.activeElement;
    if (!e || e === document.body) return "nothing has focus";
    const box = e.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) return "focus is on an invisible element: " + e.outerHTML.slice(0, 120);
    const style = getComputedStyle(e);
    const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
    return ring ? "" : "no visible focus indicator on " + e.outerHTML.slice(0, 120) + " " + [style.outlineStyle, style.outlineWidth, e.matches(":focus"), document.hasFocus()].join(" ");
}"""


class Keyboard:
    """Presses keys, counts them, and checks after each one that the focused element shows focus."""

    def __init__(self, page):
        self.page = page
        self.steps = 0

    def press(self, key: str, *, check_focus: bool = True) -> None:
        self.page.keyboard.press(key)
        self.steps += 1
        if check_focus:
            self.assert_focus_visible()

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.steps += 1  # typing a word counts as one step

    def skip_to_content(self) -> None:
        """The page's first Tab stop, "Skip to content", past the site's navigation."""
        self.tab_to("body > a.skip-link")
        self.press("Enter", check_focus=False)  # <main tabindex=-1> takes the focus without a ring
        expect(self.page.locator("#main")).to_be_focused()

    def assert_focus_visible(self) -> None:
        problem = self.page.evaluate(FOCUS_IS_VISIBLE)
        assert not problem, f"step {self.steps}: {problem}"

    def tab_to(self, selector: str, *, backwards: bool = False) -> None:
        """Tab (or Shift+Tab) until the element matching `selector` has focus."""
        target = self.page.locator(selector)
        expect(target).to_have_count(1)
        for _ in range(MAX_TABS):
            if target.evaluate("e => e === document.activeElement"):
                return
            self.press("Shift+Tab" if backwards else "Tab")
        raise AssertionError(f"{selector} was not reached in {MAX_TABS} key presses")


def test_book_and_cancel_with_the_keyboard_alone(browser_page, lab, screenshot):
    page = browser_page
    UserFactory(username="ana")
    UserFactory(username="bo")
    teraflex = lab["teraflex"]
    day = next_wednesday()
    keys = Keyboard(page)

    page.goto("/accounts/login/")
    keys.tab_to("#id_username")
    keys.type("ana")
    keys.press("Tab")
    keys.type(PASSWORD)
    keys.press("Enter", check_focus=False)
    expect(page.get_by_role("heading", name="Week schedule")).to_be_visible()
    page.wait_for_load_state("load")  # the page's scripts (the "/" shortcut) are ready

    # "/" jumps to the search; the TeraFlex by its port label; then the "Next week" link.
    keys.press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    keys.type("tf_1")
    keys.press("Enter")
    expect(page.locator("table.grid tbody th[scope=row]")).to_have_count(1)
    keys.tab_to("a[rel=next]")
    keys.press("Enter", check_focus=False)
    expect(page.locator("table.grid thead")).to_contain_text(day.strftime("%a %-d %b"))
    expect(page.locator("a[rel=next]")).to_be_focused()  # the focus stays on the link htmx replaced
    monday = day - timedelta(days=day.weekday())
    expect(page.get_by_label("Week of")).to_have_value(str(monday))  # the filters follow the week shown
    keys.assert_focus_visible()

    # Tick Wednesday's morning and afternoon, then the add button (the skip link would jump there too).
    keys.tab_to("#grid-form .skip-link")
    for slot in ("morning", "afternoon"):
        keys.tab_to(f'input[value="{teraflex.pk}|{day}|{slot}"]')
        keys.press("Space")
        expect(page.locator(f'input[value="{teraflex.pk}|{day}|{slot}"]')).to_be_checked()
    keys.tab_to("#grid-add")
    keys.press("Enter")
    expect(page.locator("#grid-feedback")).to_contain_text("Added 2 slot(s)")
    expect(page.locator("#grid-feedback")).to_have_attribute("role", "status")

    # The announcement links to the cart.
    keys.tab_to('#grid-feedback a[href="/cart/"]')
    keys.press("Enter", check_focus=False)
    expect(page.get_by_role("heading", name="Booking cart")).to_be_visible()
    page.wait_for_load_state("load")
    expect(page.locator("#cart-items tbody tr")).to_have_count(1)

    # Collaborators and a message, then submit.
    keys.skip_to_content()
    keys.tab_to("#id_collaborators")
    keys.type("bo")
    keys.press("Tab")
    keys.type("OSNR sweep")
    keys.tab_to('#cart-submit-form button[type="submit"]')
    screenshot(page, "keyboard-cart")
    keys.press("Enter", check_focus=False)
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    page.wait_for_load_state("load")
    expect(page.get_by_role("status").filter(has_text="pending")).to_be_visible()
    group = BookingGroup.objects.get(owner__username="ana")
    assert list(group.collaborators.values_list("username", flat=True)) == ["bo"]

    # Open the session's actions and cancel it (the confirmation dialog is accepted).
    keys.skip_to_content()
    keys.tab_to(f'section[data-session="{group.pk}"] summary')
    keys.press("Enter")
    keys.tab_to(f'section[data-session="{group.pk}"] button.danger')
    screenshot(page, "keyboard-my-bookings")
    keys.press("Enter", check_focus=False)
    expect(page.get_by_role("status").filter(has_text="cancelled")).to_be_visible()
    assert set(group.bookings.values_list("status", flat=True)) == {"cancelled"}

    report = Path(settings.BASE_DIR) / "ci-artifacts" / "keyboard-booking-steps.txt"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(f"keyboard-only booking and cancel: {keys.steps} key presses\n")
    print(f"keyboard-only booking: {keys.steps} steps")
    assert keys.steps <= 90, "booking by keyboard takes more key presses than it did (84)"
