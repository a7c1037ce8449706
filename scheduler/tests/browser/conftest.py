"""Headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) driven by Playwright
against pytest-django's live server. Without Chromium the tests skip locally and fail in CI."""

import os
from pathlib import Path

import pytest
from django.conf import settings

from core.roles import LAB_MANAGERS
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
    """JavaScript console errors and uncaught exceptions seen by a page."""


@pytest.fixture
def browser_page(browser, live_server):
    """A fresh browser context (its own cookies) on the live server; fails the test on any JS error."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 820}, locale="en-IE",
                                  timezone_id=settings.TIME_ZONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = ConsoleErrors()
    page.on("console", lambda message: errors.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("dialog", lambda dialog: dialog.accept())
    page.errors = errors
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture
def screenshot():
    """screenshot(page, "name") saves ci-artifacts/screenshots/name.png (full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
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
