"""The managers' power page in headless Chromium: keyboard switching with its confirmation step, named
controls, text contrast in both themes, no inline scripts or styles, 390 px and 1280 px."""

import pytest
from playwright.sync_api import expect

from inventory.tests.factories import OutletFactory
from inventory.tests.power_fixtures import pdu_for, pdu_password, pdu_sim  # noqa: F401 - fixtures
from scheduler.tests.browser.test_booking_journey import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# WCAG 2.1 contrast of every visible text element against the background it is drawn on.
CONTRAST = """() => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = ({r, g, b}) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = el => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c.a > 0.5) return c; } return parse(getComputedStyle(document.body).backgroundColor); };
  const bad = [];
  for (const el of document.querySelectorAll("main *")) {
    const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent.trim()).join("");
    if (!text || !el.offsetParent) continue;
    const fg = lum(parse(getComputedStyle(el).color)), bg = lum(background(el));
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    if (ratio < 4.5) bad.push(`${el.tagName}.${el.className} "${text.slice(0, 30)}" ${ratio.toFixed(2)}`);
  }
  return bad;
}"""
UNNAMED = """() => [...document.querySelectorAll("main button, main input:not([type=hidden]), main select, main a")]
  .filter(e => !(e.getAttribute("aria-label") || e.textContent.trim() || (e.id && document.querySelector(`label[for="${e.id}"]`))))
  .map(e => e.outerHTML)"""


@pytest.fixture
def powered_lab(lab, pdu_sim):  # noqa: F811 - the fixture imported above
    pdu = pdu_for(pdu_sim)
    outlet = OutletFactory(pdu=pdu, number=1, name="roadm psu", device=lab["roadm"], mode="booking")
    for n in range(2, 17):
        OutletFactory(pdu=pdu, number=n)
    pdu_sim.pdu.on[0] = True
    return outlet


def test_manager_switches_an_outlet_off_by_keyboard_after_confirming(browser_page, powered_lab, pdu_sim, screenshot):  # noqa: F811
    page = browser_page
    sign_in(page, "boss")
    page.get_by_role("link", name="Power").click()
    expect(page.get_by_role("heading", name="Power", exact=True)).to_be_visible()
    assert page.evaluate("() => document.querySelectorAll('[style], script:not([src])').length") == 0
    assert page.evaluate(UNNAMED) == []
    screenshot(page, "power-1280")

    off = page.get_by_role("button", name=f"Switch off {powered_lab}")
    off.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Switch off: {powered_lab}")).to_be_visible()
    assert pdu_sim.pdu.on[0] is True  # only asked, not done
    confirm = page.get_by_role("button", name="Switch off now")
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".message-success")).to_contain_text("the PDU reads it off (was on)")
    assert pdu_sim.pdu.on[0] is False
    expect(page.get_by_role("heading", name="Power", exact=True)).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [390, 1280])
def test_power_page_contrast_and_width(browser_page, powered_lab, screenshot, scheme, width):
    page = browser_page
    page.set_viewport_size({"width": width, "height": 800})
    page.emulate_media(color_scheme=scheme)
    sign_in(page, "boss")
    page.goto("/power/")
    assert page.evaluate(CONTRAST) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto(f"/power/outlets/{powered_lab.pk}/switch/?action=cycle")
    assert page.evaluate(CONTRAST) == []
    screenshot(page, f"power-{width}-{scheme}")
