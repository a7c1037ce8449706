"""The Content Security Policy in a real browser: the pages work under it (every browser test fails
on a CSP violation in the console), the API docs run Swagger UI from static files, and a violation
is really caught."""

import pytest
from playwright.sync_api import expect

from scheduler.tests.browser.test_booking_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_csp_violation_is_reported(new_page, db):
    page = new_page()
    page.goto("/accounts/login/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.appendChild(script);
        document.body.insertAdjacentHTML("beforeend", '<p style="color: red">styled</p>');
    }""")
    expect(page.locator("text=styled")).to_be_visible()
    assert page.evaluate("() => window.injected === undefined"), "the inline script ran"
    page.wait_for_timeout(200)
    csp = [error for error in page.errors if error.startswith("CSP violation")]
    assert any("script-src" in error for error in csp), page.errors
    assert any("style-src" in error for error in csp), page.errors
    page.errors.clear()  # caught as intended: don't fail the test for it


def test_api_docs_run_under_the_policy(browser_page, lab):
    page = browser_page
    sign_in(page, "boss")
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("labsite API")
    expect(page.locator(".opblock").first).to_be_visible()


def test_htmx_pages_work_under_the_policy(browser_page, lab):
    """The week grid's htmx navigation and the tag colours painted by script, with no violation."""
    page = browser_page
    lab["roadm"].tags.create(name="core", color="#1f77b4")
    sign_in(page, "boss")
    page.get_by_role("link", name="Next week ▶").click()
    expect(page.get_by_role("link", name="◀ Previous week")).to_be_visible()
    page.goto(f"/devices/{lab['roadm'].pk}/")
    tag = page.locator(".tag", has_text="core")
    expect(tag).to_have_css("background-color", "rgb(31, 119, 180)")
