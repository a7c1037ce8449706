"""Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by Playwright
against pytest-django's live server. Without Chromium the tests skip locally and fail in CI."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from core.roles import LAB_MANAGERS, roles_ensure
from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the tests are
# still synchronous, so its async-safety check must be relaxed for these tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]
SCREENSHOTS = Path(settings.BASE_DIR) / "ci-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must run the browser tests (apt-get install chromium).")
        pytest.skip(f"{CHROMIUM} is missing; install Debian's chromium to run the browser tests.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


class ConsoleErrors(list):
    """JavaScript console errors, uncaught exceptions and Content Security Policy violations seen by a page."""


def watch(page) -> ConsoleErrors:
    """Record the page's console errors, uncaught exceptions and CSP violations in page.errors.

    Chromium reports a CSP violation ("Refused to execute inline script because it violates the
    following Content Security Policy directive …") as a console error; those are labelled "CSP".
    """
    errors = ConsoleErrors()

    def on_console(message):
        if message.type != "error":
            return
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # the browser asks for /favicon.ico itself on pages without an icon link
        label = "CSP violation" if "Content Security Policy" in message.text else "console"
        errors.append(f"{label} on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"pageerror on {page.url}: {error}"))
    page.on("dialog", lambda dialog: dialog.accept())
    page.errors = errors
    return errors


@pytest.fixture
def new_page(browser, live_server):
    """new_page(**context_options): a page in a fresh browser context (its own cookies) on the live
    server. Every page opened this way fails the test on a JavaScript error or a CSP violation."""
    contexts, watched = [], []

    def open_page(**options):
        options = {"base_url": live_server.url, "viewport": {"width": 1366, "height": 820}, "locale": "en-IE",
                   "timezone_id": settings.TIME_ZONE, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        watched.append(watch(page))
        return page

    yield open_page
    for context in contexts:
        context.close()
    errors = [error for page_errors in watched for error in page_errors]
    assert not errors, errors


@pytest.fixture
def browser_page(new_page):
    """A fresh browser context on the live server; fails the test on any JS error or CSP violation."""
    return new_page()


@pytest.fixture
def axe():
    """axe(page) fails the test if axe-core finds a WCAG 2.1 A/AA violation on the page (see axe.py)."""
    from scheduler.tests.browser.axe import assert_no_axe_violations

    return assert_no_axe_violations


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves ci-artifacts/screenshots/name.png (full page, or the viewport),
    then runs axe-core on the page as shown: every screen a browser test captures meets WCAG 2.1 AA."""
    from scheduler.tests.browser.axe import assert_no_axe_violations

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        assert_no_axe_violations(page)
        return path

    return take


@pytest.fixture
def lab(groups):
    """A ROADM (capacity 2) and a TeraFlex (capacity 1) with port labels, a few amplifiers, a lab manager."""
    roadm = DeviceFactory(name="ROADM 10", device_type=DeviceTypeFactory(name="ROADM", default_capacity=2))
    PortFactory(device=roadm, name="roadm_10_p2")
    PortFactory(device=roadm, name="roadm_10_line")
    teraflex = DeviceFactory(name="TeraFlex 1", device_type=DeviceTypeFactory(name="TeraFlex", default_capacity=1))
    PortFactory(device=teraflex, name="tf_1")
    for n in range(6):
        DeviceFactory(name=f"EDFA {n}", device_type=DeviceTypeFactory(name="Amplifier"))
    manager = UserFactory(username="boss", is_staff=True)
    manager.groups.add(groups[LAB_MANAGERS])
    return {"roadm": roadm, "teraflex": teraflex, "manager": manager}


@pytest.fixture
def demo_lab(db):
    """The lab `manage.py init_db --demo` builds: 200 devices, bookings around today, demo logins
    (manager / labsite-manager, alice / labsite-alice, bob / labsite-bob)."""
    from inventory.services.demo import demo_lab_create, demo_users_ensure
    from inventory.services.setup import device_types_ensure
    from scheduler.models import BookingPolicy
    from scheduler.services.demo import demo_bookings_create

    roles_ensure()
    device_types_ensure()
    BookingPolicy.load()
    demo_lab_create()
    users = demo_users_ensure()
    demo_bookings_create()
    return users
