"""WCAG 2.1 AA on every page the project renders, checked by axe-core on the demo lab at 1280 px in the
light and dark themes: the member pages, the signed-out pages, the admin dashboard and the
changelists and forms the project customises. A violation fails the test and names the page, the rule
and the element. Each run writes the per-page counts to ci-artifacts/axe-violations.json."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from inventory.models import Device
from scheduler.models import BookingGroup
from scheduler.tests.browser.axe import axe_violations, format_violations
from scheduler.tests.browser.test_booking_journey import next_wednesday
from scheduler.topology.services import topology_create_from_group

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
REPORT = Path(settings.BASE_DIR) / "ci-artifacts" / "axe-violations.json"


def demo_sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"labsite-{username}")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_be_visible()


def demo_sign_in_admin(page, username="manager"):
    page.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(f"labsite-{username}")
    page.locator("input[type=submit]").click()
    expect(page.locator("#content h1")).to_be_visible()


def audit(page, urls, scheme="light") -> dict[str, list]:
    """Visit each URL and run axe; returns {url: violations}."""
    page.emulate_media(color_scheme=scheme)
    found = {}
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        found[url] = axe_violations(page)
    return found


def record(name: str, found: dict[str, list]) -> None:
    """Keep the per-page counts (elements in violation) for the closing notes and CI artifacts."""
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    report = json.loads(REPORT.read_text()) if REPORT.exists() else {}
    report[name] = {url: sum(len(v["nodes"]) for v in violations) for url, violations in found.items()}
    REPORT.write_text(json.dumps(report, indent=2, sort_keys=True))


def assert_clean(found: dict[str, list]) -> None:
    failures = [format_violations(url, violations) for url, violations in found.items() if violations]
    assert not failures, "\n\n".join(failures)


def member_urls(username="alice"):
    device = Device.objects.order_by("pk").first()
    group = BookingGroup.objects.filter(owner__username=username).order_by("pk").first()
    topology = topology_create_from_group(owner=group.owner, group_id=group.pk)
    return ["/", "/cart/", "/bookings/", "/favorites/", f"/devices/{device.pk}/", "/patch-list/", "/calendar/",
            "/accounts/profile/", "/accounts/tokens/", "/accounts/password/", "/free/", "/demand/",
            "/topologies/", "/topologies/new/", "/topologies/from-patch-list/", f"/topologies/{topology.pk}/",
            f"/bookings/sessions/{group.pk}/wiring/"]


def admin_urls():
    group = BookingGroup.objects.order_by("pk").first()
    device = Device.objects.order_by("pk").first()
    return [
        "/admin/",
        "/admin/scheduler/booking/",
        "/admin/scheduler/booking/?status__exact=cancelled",
        "/admin/scheduler/bookinggroup/",
        f"/admin/scheduler/bookinggroup/{group.pk}/change/",
        "/admin/scheduler/maintenancewindow/",
        "/admin/scheduler/maintenancewindow/add/",
        "/admin/scheduler/bookingpolicy/",
        "/admin/inventory/device/",
        f"/admin/inventory/device/{device.pk}/change/",
        "/admin/inventory/device/import/",
        "/admin/inventory/devicetype/",
        "/admin/inventory/port/",
        "/admin/inventory/devicehistory/",
        "/admin/core/auditevent/",
        "/admin/core/notification/",
        "/admin/core/user/",
        "/admin/scheduler/booking/reports/",
        "/admin/scheduler/topology/",
        "/admin/scheduler/portreservation/",
        "/admin/scheduler/powerplan/",
        "/admin/inventory/link/",
        "/admin/inventory/pdu/",
        "/admin/inventory/outlet/",
        "/power/",
    ]


def fill_the_cart(page):
    """A cart with items, so the cart page shows its table and submit form."""
    page.goto(f"/?week={next_wednesday()}")
    page.locator("table.grid input[name=cell]:not([disabled])").first.check()
    page.get_by_role("button", name="Add ticked cells to cart").click()
    expect(page.locator("#grid-feedback")).to_contain_text("Added")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_member_pages_have_no_axe_violations(new_page, demo_lab, scheme):
    page = new_page(viewport={"width": 1280, "height": 800})
    demo_sign_in(page, "alice")
    fill_the_cart(page)
    found = audit(page, member_urls(), scheme)
    record(f"member pages ({scheme})", found)
    assert_clean(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_signed_out_pages_have_no_axe_violations(new_page, demo_lab, scheme):
    page = new_page(viewport={"width": 1280, "height": 800})
    found = audit(page, ["/accounts/login/", "/accounts/register/"], scheme)
    record(f"signed-out pages ({scheme})", found)
    assert_clean(found)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_admin_pages_have_no_axe_violations(new_page, demo_lab, scheme):
    page = new_page(viewport={"width": 1280, "height": 800})
    demo_sign_in_admin(page)
    found = audit(page, admin_urls(), scheme)
    record(f"admin pages ({scheme})", found)
    assert_clean(found)
