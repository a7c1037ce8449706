"""The topology composer in a real browser: drawing with the mouse and with the keyboard only."""

import re

import pytest
from playwright.sync_api import expect

from core.roles import LAB_MEMBERS
from core.tests.factories import UserFactory
from inventory.models import Device
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory
from scheduler.models import Topology

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Week schedule")).to_be_visible()


@pytest.fixture
def drawing_lab(groups):
    roadm = DeviceTypeFactory(name="ROADM", default_capacity=2)
    for n in range(3):
        device = DeviceFactory(name=f"ROADM {n + 1}", device_type=roadm)
        PortFactory(device=device, name=f"roadm_{n + 1}_line")
    DeviceFactory(name="TeraFlex 1", device_type=DeviceTypeFactory(name="TeraFlex", default_capacity=1))
    DeviceFactory(name="PDU 1", device_type=DeviceTypeFactory(name="PDU", is_schedulable=False))
    user = UserFactory(username="ana")
    user.groups.add(groups[LAB_MEMBERS])
    return user


def node(page, key):
    return page.locator(f'#diagram [data-node="{key}"]')


def test_compose_with_the_mouse_rename_link_pin_and_delete(browser_page, drawing_lab, screenshot):
    page = browser_page
    sign_in(page, "ana")
    page.get_by_role("link", name="Topologies").click()
    page.get_by_role("link", name="New topology").click()
    expect(page.get_by_role("heading", name="New topology")).to_be_visible()
    # The palette holds the lab's bookable types only.
    expect(page.locator("#palette button")).to_have_count(2)
    expect(page.get_by_role("button", name="Add a PDU node")).to_have_count(0)

    page.get_by_role("button", name="Add a ROADM node").click()
    page.get_by_role("button", name="Add a ROADM node").click()
    page.get_by_role("button", name="Add a TeraFlex node").click()
    expect(page.locator("#diagram [data-node]")).to_have_count(3)
    expect(page.locator("#node-list")).to_contain_text("roadm1")

    # Rename: a duplicate name is refused beside the field, a good one renames links too.
    node(page, "teraflex1").click()
    page.get_by_label("Name", exact=True).last.fill("roadm1")
    page.get_by_label("Name", exact=True).last.press("Enter")
    expect(page.locator("#prop-key-error")).to_contain_text("already called")
    page.locator("#prop-key").fill("tx")
    page.locator("#prop-key").press("Tab")
    expect(node(page, "tx")).to_be_visible()

    page.get_by_label("From").select_option("tx")
    page.get_by_label("To", exact=True).select_option("roadm1")
    page.get_by_role("button", name="Add link").click()
    page.get_by_label("From").select_option("roadm1")
    page.get_by_label("To", exact=True).select_option("roadm1")
    page.get_by_role("button", name="Add link").click()
    expect(page.locator("#link-b-error")).to_have_text("A link joins two different nodes.")
    page.get_by_label("To", exact=True).select_option("roadm2")
    page.get_by_role("button", name="Add link").click()
    expect(page.locator("#diagram [data-link]")).to_have_count(2)
    page.get_by_label(re.compile("^Fixed only")).check()
    page.locator("#prop-link-notes").fill("C-band, 25 km")
    expect(page.locator('#diagram [data-link="1"]')).to_contain_text("fixed only")

    # Pin roadm2 to a device found by its port label.
    node(page, "roadm2").click()
    page.get_by_label("Pin to a device").fill("roadm_3")
    page.get_by_role("button", name="Pin ROADM 3").click()
    expect(page.locator("#prop-pinned")).to_contain_text("ROADM 3")
    expect(node(page, "roadm2")).to_contain_text("pinned: ROADM 3")

    # Drag a node: it stays where it was dropped.
    box = node(page, "roadm1").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + 5, box["y"] + 120, steps=6)
    page.mouse.up()
    moved = node(page, "roadm1").bounding_box()
    assert moved["y"] > box["y"] + 60
    screenshot(page, "topology-compose")

    # Saving needs a name (said beside the field); then the page becomes the topology's own.
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#topo-name-error")).to_have_text("Give the topology a name.")
    page.locator("#topo-name").fill("Two ROADMs and a transponder")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#save-status")).to_have_text("Saved.")
    expect(page).to_have_url(re.compile(r"/topologies/\d+/$"))
    topology = Topology.objects.get()
    assert topology.owner.username == "ana"
    assert [n["key"] for n in topology.nodes] == ["roadm1", "roadm2", "tx"]
    assert topology.nodes[1]["device"] == Device.objects.get(name="ROADM 3").pk
    assert topology.links[1] == {"a": "roadm1", "b": "roadm2", "fixed_only": True, "notes": "C-band, 25 km"}
    page.reload()
    expect(page.locator("#topo-name")).to_have_value("Two ROADMs and a transponder")
    expect(node(page, "roadm2")).to_contain_text("pinned: ROADM 3")
    expect(page.locator("#diagram [data-link]")).to_have_count(2)
    assert abs(node(page, "roadm1").bounding_box()["y"] - moved["y"]) < 2  # the dragged node kept its place

    # Deleting a node deletes its links.
    node(page, "roadm1").click()
    page.get_by_role("button", name="Delete node roadm1").click()
    expect(page.locator("#diagram [data-node]")).to_have_count(2)
    expect(page.locator("#diagram [data-link]")).to_have_count(0)


def test_compose_with_the_keyboard_only(browser_page, drawing_lab):
    page = browser_page
    sign_in(page, "ana")
    page.goto("/topologies/new/")
    page.get_by_role("button", name="Add a ROADM node").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # to "Add a TeraFlex node"
    page.keyboard.press("Enter")
    expect(page.locator("#diagram [data-node]")).to_have_count(3)
    # Link with the form: From, To, Add link.
    page.get_by_label("From").focus()
    page.keyboard.press("ArrowDown")  # first node
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # second node
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#diagram [data-link]")).to_have_count(1)
    # Tab into the diagram, select a node with Enter, move it with the arrows, delete it.
    target = node(page, "teraflex1")
    target.focus()
    before = target.get_attribute("transform")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowUp")
    expect(node(page, "teraflex1")).not_to_have_attribute("transform", before)
    expect(node(page, "teraflex1")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#props h2")).to_have_text("Node teraflex1")
    page.keyboard.press("Delete")
    expect(page.locator("#diagram [data-node]")).to_have_count(2)
