"""A topology from drawing to a confirmed session, in a real browser: compose a ring of four ROADMs
through a fibre reel, ask for the earliest window, pick the second option, override one node, book,
see the wiring and download it, see it pending, a lab manager approves, see it confirmed. Also: a
topology that cannot fit is explained with the earliest time it would, and a pasted patch list
becomes a topology. Screenshots of each step go to ci-artifacts/screenshots/topology-*.png."""

import json
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core import clock
from core.roles import LAB_MANAGERS, LAB_MEMBERS
from core.tests.factories import UserFactory
from inventory.models import Device
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory
from scheduler.cart import lab_zone
from scheduler.models import BookingGroup, Topology
from scheduler.services.booking import booking_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


class WiredLab:
    """One Polatis switch and devices whose ports are patched into it (in n, out n + 384)."""

    def __init__(self):
        self.switch = DeviceFactory(name="Polatis 1", device_type=DeviceTypeFactory(name="Switch", is_schedulable=False))
        self.number = 0
        self.types = {}

    def device(self, type_name, name, labels, capacity=2):
        if type_name not in self.types:
            self.types[type_name] = DeviceTypeFactory(name=type_name, default_capacity=capacity)
        device = DeviceFactory(name=name, device_type=self.types[type_name])
        for label in labels:
            self.number += 1
            PortFactory(device=device, name=label, switch=self.switch, switch_in=self.number, switch_out=self.number + 384)
        return device


@pytest.fixture
def wired_lab(groups):
    lab = WiredLab()
    for n in range(1, 7):
        lab.device("ROADM", f"ROADM {n}", [f"roadm_{n}_p{p}" for p in range(1, 4)])
    for n in range(1, 3):
        lab.device("Fiber", f"Reel {n}", [f"reel_{n}_a", f"reel_{n}_b"], capacity=1)
    lab.device("TeraFlex", "TeraFlex 1", ["tf_1"], capacity=1)
    lab.device("OSA", "OSA 1", ["osa_1"], capacity=1)
    member = UserFactory(username="ana")
    member.groups.add(groups[LAB_MEMBERS])
    UserFactory(username="bo").groups.add(groups[LAB_MEMBERS])
    manager = UserFactory(username="boss", is_staff=True)
    manager.groups.add(groups[LAB_MANAGERS])
    return lab


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Week schedule")).to_be_visible()


def add_link(page, a, b):
    page.get_by_label("From").select_option(a)
    page.get_by_label("To", exact=True).select_option(b)
    page.get_by_role("button", name="Add link").click()


def node(page, key):
    return page.locator(f'#diagram [data-node="{key}"]')


def test_ring_with_a_reel_from_drawing_to_confirmed(browser_page, live_server, wired_lab, screenshot):
    page = browser_page
    sign_in(page, "ana")
    page.goto("/topologies/new/")
    page.locator("#topo-name").fill("Ring with a reel")
    for _ in range(4):
        page.get_by_role("button", name="Add a ROADM node").click()
    page.get_by_role("button", name="Add a Fiber node").click()
    for a, b in [("roadm1", "roadm2"), ("roadm2", "roadm3"), ("roadm3", "roadm4"), ("roadm4", "fiber1"), ("fiber1", "roadm1")]:
        add_link(page, a, b)
    expect(page.locator("#diagram [data-link]")).to_have_count(5)
    screenshot(page, "topology-1-compose")

    # The earliest window of 4 hours, with up to 5 options drawn as cards (saving on the way).
    expect(page.get_by_label(re.compile("earliest window"))).to_be_checked()
    page.get_by_label("Duration (hours)").fill("4")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator("#earliest-window")).to_be_visible()
    expect(page.locator(".mapping-card").nth(1)).to_be_visible()
    assert 2 <= page.locator(".mapping-card").count() <= 5
    expect(page).to_have_url(re.compile(r"/topologies/\d+/$"))
    assert Topology.objects.get().name == "Ring with a reel"
    expect(page.locator(".mapping-card").first.locator(".score-parts dt").first).to_be_visible()

    # Pick the second option: it is drawn on the diagram with device names, ports and switch numbers.
    page.get_by_role("button", name="Choose option 2").click()
    expect(page.get_by_role("button", name="Chosen: option 2")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#diagram .node.mapped")).to_have_count(5)
    expect(node(page, "fiber1")).to_contain_text("Reel")
    expect(page.locator("#diagram .link.mapped").first).to_contain_text("Polatis 1")
    expect(page.locator("#diagram .link.mapped").first).to_contain_text("→")
    screenshot(page, "topology-2-options")

    # Override roadm1 with one of its alternatives; the server checks the whole option again.
    node(page, "roadm1").click()
    alternative = page.locator("#node-mapping [data-override]").first
    expect(alternative).to_be_visible()
    # Each alternative says why it ranks above or below the current device.
    expect(page.locator("#node-mapping .alt-reason").first).to_contain_text(re.compile(r"score|fit|margin|use|locality"))
    chosen_name = alternative.inner_text().removeprefix("Use ")
    alternative.click()
    expect(page.locator("#mapped-device")).to_have_text(chosen_name)
    expect(node(page, "roadm1")).to_contain_text(chosen_name)
    screenshot(page, "topology-3-override")

    # Book with a collaborator and a message: the session's page shows its status and wiring.
    page.get_by_label("Collaborators").fill("bo")
    page.get_by_label("Message to the lab managers").fill("Ring OSNR sweep")
    page.get_by_role("button", name="Book").click()
    expect(page.locator("#session-status")).to_have_text("pending")
    group = BookingGroup.objects.get(owner__username="ana")
    assert group.message == "Ring OSNR sweep" and [u.username for u in group.collaborators.all()] == ["bo"]
    assert group.bookings.filter(device__name=chosen_name).exists()
    expect(page.locator("#patch-list")).to_contain_text("('")
    expect(page.locator(".crossconnects tbody tr").first).to_be_visible()
    screenshot(page, "topology-4-wiring")
    patch_list = page.locator("#patch-list").inner_text()
    with page.expect_download() as download:
        page.locator('[data-format="python"]').click()
    assert Path(download.value.path()).read_text().strip() == patch_list.strip()
    with page.expect_download() as download:
        page.locator('[data-format="crossconnects"]').click()
    crossconnects = json.loads(Path(download.value.path()).read_text())["switches"]
    assert [s["name"] for s in crossconnects] == ["Polatis 1"]
    assert len(crossconnects[0]["cross_connects"]) == 10  # five duplex links through the switch
    first_row = page.locator(".crossconnects tbody tr").first.locator("td")
    assert [int(first_row.nth(0).inner_text()), int(first_row.nth(1).inner_text())] == crossconnects[0]["cross_connects"][0]

    # My bookings shows the wiring of this session too.
    page.goto("/bookings/")
    session = page.locator(f'section[data-session="{group.pk}"]')
    expect(session.locator(".session-status")).to_have_text("pending")
    session.locator("summary", has_text="Wiring").click()
    expect(session.locator(".session-wiring pre")).to_have_text(patch_list)

    # A lab manager approves the session in the admin; the member sees it confirmed.
    admin = page.context.browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 820})
    admin_page = admin.new_page()
    admin_page.on("pageerror", lambda error: page.errors.append(f"admin pageerror: {error}"))
    admin_page.goto("/admin/login/?next=/admin/scheduler/bookinggroup/")
    admin_page.locator("#id_username").fill("boss")
    admin_page.locator("#id_password").fill(PASSWORD)
    admin_page.locator("input[type=submit]").click()
    admin_page.locator(f'input.action-select[value="{group.pk}"]').check()
    admin_page.locator("select[name=action]").select_option("approve_sessions")
    admin_page.locator("button[name=index]").click()
    expect(admin_page.locator("ul.messagelist")).to_be_visible()
    admin.close()
    page.goto(f"/bookings/sessions/{group.pk}/wiring/")
    expect(page.locator("#session-status")).to_have_text("confirmed")
    screenshot(page, "topology-5-confirmed")


def test_infeasible_topology_is_explained_with_when_it_would_fit(browser_page, wired_lab, screenshot):
    """Two of the six ROADMs are left; a ring of three cannot fit tomorrow morning, and the page says
    why and from when it would."""
    page = browser_page
    zone = lab_zone()
    tomorrow = clock.now().astimezone(zone).date() + timedelta(days=1)
    busy_from = datetime.combine(tomorrow, time(8), tzinfo=zone)
    bob = UserFactory(username="bob")
    for n in range(1, 5):  # ROADM 1–4 full (capacity 2) from 08:00 to 14:00
        roadm = wired_lab.types["ROADM"].devices.get(name=f"ROADM {n}")
        for holder in (bob, UserFactory()):
            booking_request(requester=holder, items=[{"device": roadm, "start": busy_from, "end": busy_from + timedelta(hours=6)}])
    sign_in(page, "ana")
    page.goto("/topologies/new/")
    page.locator("#topo-name").fill("Three ROADMs")
    for _ in range(3):
        page.get_by_role("button", name="Add a ROADM node").click()
    for a, b in [("roadm1", "roadm2"), ("roadm2", "roadm3"), ("roadm3", "roadm1")]:
        add_link(page, a, b)
    page.get_by_label("a window I choose").check()
    page.get_by_label("Start").fill(f"{tomorrow}T09:00")
    page.get_by_label("End", exact=True).fill(f"{tomorrow}T11:00")
    page.get_by_role("button", name="Resolve").click()
    explanation = page.locator("#infeasible")
    expect(explanation).to_contain_text("Nothing fits")
    expect(explanation.locator("li").first).to_contain_text("ROADM")
    expect(page.locator("#fits-at")).to_contain_text("It would fit from")
    expect(page.locator("#fits-at")).to_contain_text("14:00")
    expect(page.locator(".mapping-card")).to_have_count(0)
    screenshot(page, "topology-infeasible")
    page.locator("#use-earliest").click()
    expect(page.locator(".mapping-card").first).to_be_visible()
    expect(page.get_by_label("Start")).to_have_value(f"{tomorrow}T14:00")


def test_pasted_patch_list_becomes_a_topology(browser_page, wired_lab, screenshot):
    page = browser_page
    sign_in(page, "ana")
    page.get_by_role("link", name="Topologies").click()
    page.get_by_label("Name").fill("Pasted ring")
    page.get_by_role("textbox", name="Patch list").fill("[('tf_1', 'roadm_1_p1'), ('roadm_1_p2', 'reel_1_a'), ('reel_1_b', 'roadm_2_p1')]")
    page.get_by_role("button", name="Make a topology").click()
    expect(page.locator(".message-success")).to_contain_text("4 node(s), 3 link(s)")
    expect(page.locator("#diagram [data-node]")).to_have_count(4)
    expect(page.locator("#diagram [data-link]")).to_have_count(3)
    expect(node(page, "Reel 1")).to_contain_text("pinned")
    screenshot(page, "topology-pasted")
    page.get_by_label("Main").get_by_role("link", name="Topologies").click()
    row = page.locator("#topologies tbody tr", has_text="Pasted ring")
    expect(row.locator("td.num").first).to_have_text("4")
    expect(row).to_contain_text("never")


def test_stale_option_is_refused_and_resolved_afresh(browser_page, wired_lab, screenshot):
    """Between resolving and booking, a device of the chosen option goes under maintenance: booking is
    refused with the reason, fresh options for the same window appear, the drawing is untouched."""
    page = browser_page
    sign_in(page, "ana")
    page.goto("/topologies/new/")
    page.locator("#topo-name").fill("Pair")
    page.get_by_role("button", name="Add a ROADM node").click()
    page.get_by_role("button", name="Add a ROADM node").click()
    add_link(page, "roadm1", "roadm2")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".mapping-card").first).to_be_visible()
    taken = node(page, "roadm1").locator(".node-device").text_content()
    Device.objects.filter(name=taken).update(status="maintenance")
    page.get_by_role("button", name="Book").click()
    expect(page.locator("#book-errors")).to_contain_text("Not booked: the lab changed")
    expect(page.locator("#fresh-options")).to_be_visible()
    expect(page.locator(".mapping-card").first).to_be_visible()
    expect(page.locator(".mapping-card").first.locator(".devices")).not_to_contain_text(taken + ",")
    expect(page.locator("#diagram [data-node]")).to_have_count(2)
    expect(page.locator("#diagram [data-link]")).to_have_count(1)
    assert not BookingGroup.objects.exists()
    screenshot(page, "topology-stale")
    page.get_by_role("button", name="Book").click()
    expect(page.locator("#session-status")).to_have_text("pending")
    # Chromium logs every 4xx answer to fetch() as a console error; this one 409 is the behaviour under test.
    expected = [e for e in page.errors if "status of 409 (Conflict)" in e]
    assert len(expected) == 1
    page.errors[:] = [e for e in page.errors if e not in expected]


def test_topology_pages_fit_a_phone_in_the_dark_theme(browser, live_server, wired_lab, screenshot):
    """390 px wide, dark theme: nothing wider than the screen (the diagram scrolls in its own box)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, color_scheme="dark",
                                  locale="en-IE")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, "ana")
    page.goto("/topologies/new/")
    page.locator("#topo-name").fill("Phone ring")
    for _ in range(3):
        page.get_by_role("button", name="Add a ROADM node").click()
    add_link(page, "roadm1", "roadm2")
    add_link(page, "roadm2", "roadm3")
    page.get_by_role("button", name="Resolve").click()
    expect(page.locator(".mapping-card").first).to_be_visible()
    screenshot(page, "topology-phone-dark-composer")
    for url in ("/topologies/new/", "/topologies/"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    page.goto("/topologies/")
    screenshot(page, "topology-phone-dark-list")
    page.goto(f"/topologies/{Topology.objects.get().pk}/")
    page.get_by_role("button", name="Resolve").click()
    page.get_by_role("button", name="Book").click()
    expect(page.locator("#session-status")).to_have_text("pending")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "topology-phone-dark-wiring")
    context.close()
    assert not errors
