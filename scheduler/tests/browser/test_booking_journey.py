"""A lab member's whole journey in a real browser: register, find a device by its port label, pick
slots, submit, see it pending, a manager approves, see it confirmed, rebook, cancel; the patch-list
paste; a refusal that keeps the cart. Every page is checked for JavaScript errors."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from core import clock
from core.tests.factories import UserFactory
from scheduler.cart import lab_zone
from scheduler.models import BookingGroup
from scheduler.services.booking import booking_group_approve, booking_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def next_wednesday():
    """Wednesday of next week in the lab's zone: always in the future, always on the "next week" grid."""
    today = clock.now().astimezone(lab_zone()).date()
    return today - timedelta(days=today.weekday()) + timedelta(days=9)


def sign_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Week schedule")).to_be_visible()


def pick_devices(page, *searches):
    """Choose devices in the cart's searchable picker: type each search, Enter picks the first match."""
    picker = page.get_by_role("combobox", name="Devices")
    for search in searches:
        picker.fill(search)
        expect(page.get_by_role("listbox", name="Matching devices").get_by_role("option").first).to_be_visible()
        picker.press("Enter")
    picker.press("Escape")


def test_member_books_manager_approves_member_rebooks_and_cancels(new_page, lab, screenshot):
    page = new_page()
    teraflex = lab["teraflex"]
    day = next_wednesday()

    # Register, sign out, sign in again.
    page.goto("/accounts/register/")
    screenshot(page, "register")
    page.get_by_label("Username").fill("ana")
    page.get_by_label("Email").fill("ana@lab.example")
    page.locator("#id_password1").fill("a long enough passphrase")
    page.locator("#id_password2").fill("a long enough passphrase")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Week schedule")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot(page, "sign-in")
    sign_in(page, "ana", "a long enough passphrase")

    # Find the TeraFlex by its port label, go to next week, tick two slots, add them to the cart (htmx).
    page.get_by_label("Search").fill("tf_1")
    page.get_by_label("Search").press("Enter")
    expect(page.locator("table.grid tbody th[scope=row]")).to_have_count(1)
    expect(page.locator("table.grid")).to_contain_text("TeraFlex 1")
    page.get_by_role("link", name="Next week ▶").click()
    expect(page.locator("table.grid thead")).to_contain_text(day.strftime("%a %-d %b"))
    page.locator(f'input[value="{teraflex.pk}|{day}|morning"]').check()
    page.locator(f'input[value="{teraflex.pk}|{day}|afternoon"]').check()
    page.get_by_role("button", name="Add ticked cells to cart").click()
    expect(page.locator("#grid-feedback")).to_contain_text("Added 2 slot(s)")
    expect(page.locator("#cart-count")).to_have_text("1")
    morning = page.locator(f'input[value="{teraflex.pk}|{day}|morning"]')
    expect(morning).not_to_be_checked()
    expect(page.locator("td", has=morning)).to_have_class(re.compile("in-cart"))

    # Review and submit the cart.
    page.get_by_role("link", name=re.compile("^Cart")).click()
    expect(page.locator("#cart-items")).to_contain_text("free")
    page.get_by_label("Message").fill("OSNR sweep")
    screenshot(page, "cart")
    page.get_by_role("button", name="Submit request").click()
    expect(page.get_by_role("heading", name="My bookings")).to_be_visible()
    session = page.locator("section.session").first
    expect(session.locator(".session-status")).to_have_text("pending")
    screenshot(page, "my-bookings")

    # A lab manager approves the session with the admin's bulk action (in a browser of their own).
    group = BookingGroup.objects.get(owner__username="ana")
    admin_page = new_page()  # its JavaScript errors and CSP violations fail the test too
    admin_page.goto("/admin/login/?next=/admin/scheduler/bookinggroup/")
    admin_page.locator("#id_username").fill("boss")
    admin_page.locator("#id_password").fill(PASSWORD)
    admin_page.locator("input[type=submit]").click()
    admin_page.locator(f'input.action-select[value="{group.pk}"]').check()
    admin_page.locator("select[name=action]").select_option("approve_sessions")
    admin_page.locator("button[name=index]").click()
    expect(admin_page.locator("ul.messagelist")).to_be_visible()
    screenshot(admin_page, "admin-approved")
    assert set(group.bookings.values_list("status", flat=True)) == {"confirmed"}

    # The member sees it confirmed, and marked as theirs, on the grid.
    page.goto(f"/?week={day}&q=tf_1")
    cell = page.locator("td.mine >> text=ana").first
    expect(cell).to_be_visible()
    expect(page.locator("table.grid")).to_contain_text("1/1")
    assert page.locator("td.mine div[title*='ana (confirmed)']").count() == 2
    page.goto(f"/?week={day}")
    screenshot(page, "schedule")

    # Rebook the session a week later, then cancel the original.
    page.goto("/bookings/")
    page.locator(f'section[data-session="{group.pk}"] summary').click()
    page.locator(f"#rebook-day-{group.pk}").fill(str(day + timedelta(days=7)))
    page.locator(f'section[data-session="{group.pk}"]').get_by_role("button", name="Rebook").click()
    expect(page.locator(".message-success")).to_contain_text("rebooked as session")
    assert BookingGroup.objects.filter(owner__username="ana").count() == 2
    page.locator(f'section[data-session="{group.pk}"] summary').click()
    page.locator(f'section[data-session="{group.pk}"]').get_by_role("button", name="Cancel session").click()
    expect(page.locator(".message-success")).to_contain_text(f"Session {group.pk}: 1 booking(s) cancelled")
    assert set(group.bookings.values_list("status", flat=True)) == {"cancelled"}


def test_patch_list_paste_fills_the_cart(browser_page, lab, screenshot):
    page = browser_page
    UserFactory(username="ana")
    sign_in(page, "ana")
    day = next_wednesday()
    page.get_by_role("link", name="Patch list").click()
    page.get_by_label("Patch list").fill("[('TF_1', 'roadm_10_p2'), ('roadm_10_line', 'reel_9')]")
    page.get_by_role("button", name="Find devices").click()
    expect(page.locator("#patch-pairs")).to_contain_text("roadm_10_p2")
    expect(page.locator("#patch-unknown")).to_contain_text("reel_9")
    screenshot(page, "patch-list")
    page.get_by_label("From").fill(str(day))
    page.get_by_label("To (inclusive)").fill(str(day))
    page.get_by_label("Slot").select_option("morning")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-items tbody tr")).to_have_count(2)
    expect(page.locator("body")).to_contain_text("Cross-connects to make")


def test_refusal_keeps_the_cart(browser_page, lab, screenshot):
    """The TeraFlex (capacity 1) is taken: the cart says so, submitting books nothing and keeps the items."""
    page = browser_page
    day = next_wednesday()
    other = UserFactory(username="bo")
    start = clock.now().astimezone(lab_zone()).replace(year=day.year, month=day.month, day=day.day, hour=7, minute=0, second=0, microsecond=0)
    group = booking_request(requester=other, items=[{"device": lab["teraflex"], "start": start, "end": start + timedelta(hours=5)}])
    booking_group_approve(group=group, actor=lab["manager"])
    UserFactory(username="ana")
    sign_in(page, "ana")
    page.goto("/cart/")
    pick_devices(page, "tf_1", "roadm 10")
    page.get_by_label("From").fill(str(day))
    page.get_by_label("To (inclusive)").fill(str(day))
    page.get_by_label("Slot").select_option("morning")
    page.get_by_role("button", name="Add to cart").click()
    expect(page.locator("#cart-items")).to_contain_text("cannot be booked")
    page.get_by_role("button", name="Submit request").click()
    expect(page.locator(".message-error").first).to_contain_text("Nothing was booked")
    expect(page.locator("#cart-items tbody tr")).to_have_count(2)
    failed = page.locator("#cart-items tr[data-failed]")
    expect(failed).to_have_count(1)
    expect(failed.locator("[data-reason]")).to_contain_text("TeraFlex 1")
    expect(failed.locator("[data-failure]")).to_have_count(0)  # the reason is not repeated
    screenshot(page, "cart-refused")
    assert not BookingGroup.objects.filter(owner__username="ana").exists()


def test_other_pages_render_without_errors(browser_page, lab, screenshot):
    """Device page, favorites, tokens, profile, calendar: no JavaScript errors, keyboard shortcut works."""
    page = browser_page
    UserFactory(username="ana")
    sign_in(page, "ana")
    page.keyboard.press("/")
    expect(page.get_by_label("Search")).to_be_focused()
    page.goto(f"/devices/{lab['roadm'].pk}/")
    expect(page.get_by_role("heading", name="Polatis ports")).to_be_visible()
    screenshot(page, "device")
    for url in ("/favorites/", "/accounts/profile/", "/calendar/", "/accounts/password/"):
        page.goto(url)
        expect(page.locator("h1")).to_be_visible()
    page.goto("/accounts/tokens/")
    page.get_by_label("Name").fill("scripts")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("[data-new-key]")).not_to_be_empty()
    screenshot(page, "tokens")
    # The dark theme follows the system setting.
    page.emulate_media(color_scheme="dark")
    page.goto("/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 24, 31)", background
    screenshot(page, "schedule-dark")
