"""axe-core in the browser tests: `assert_no_axe_violations(page)` fails on any WCAG 2.1 A/AA rule.

The engine is the vendored `vendor/axe-core/axe.min.js` (pinned, with its licence), evaluated into the
page under test through the DevTools protocol, so the site's Content Security Policy stays enforced
and nothing comes from a CDN. A failure names the page, the rule, its impact and every element.

Use it on any page a test renders, after the page has settled:

    from scheduler.tests.browser.axe import assert_no_axe_violations
    page.goto("/power/")
    assert_no_axe_violations(page)

ALLOWED lists the violations that come from Django's own admin widgets and cannot be fixed from
outside. Keep it short: each entry names the exact rule and CSS selector, and why.
"""

from dataclasses import dataclass
from pathlib import Path

AXE_VERSION = "4.14.1"
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass(frozen=True)
class Allowed:
    rule: str
    selector: str  # the exact target axe reports
    why: str


ALLOWED: tuple[Allowed, ...] = (
    # filter_horizontal (Device.tags): SelectFilter2.js builds these search icons in the browser, as a
    # <span> with aria-label and no role. The same text is the input's own help; nothing to fix from outside.
    Allowed("aria-prohibited-attr", 'label[for="id_tags_input"] > .search-label-icon.help-tooltip',
            "Django's SelectFilter2.js: search icon of the available list"),
    Allowed("aria-prohibited-attr", 'label[for="id_tags_selected_input"] > .search-label-icon.help-tooltip',
            "Django's SelectFilter2.js: search icon of the chosen list"),
)

_source: str | None = None


def _axe_source() -> str:
    global _source
    if _source is None:
        _source = AXE_JS.read_text(encoding="utf-8")
    return _source


def axe_violations(page, *, include: str | None = None) -> list[dict]:
    """Run axe (WCAG 2.1 A and AA rules) on the page, or on the elements matching `include`.

    Returns the violations not covered by ALLOWED: [{rule, impact, help, nodes: [{target, summary}]}].
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
        assert page.evaluate(f"() => window.axe.version === '{AXE_VERSION}'"), "the vendored axe-core is not the pinned version"
    results = page.evaluate(
        """async ([include, tags]) => {
            const context = include ? {include: [include]} : document;
            const result = await window.axe.run(context, {
                runOnly: {type: "tag", values: tags}, resultTypes: ["violations"],
                // No CSSOM preload: it copies stylesheets into inline <style>, which the CSP blocks, and
                // serves only the experimental css-orientation-lock rule.
                preload: false,
            });
            return result.violations.map(v => ({
                rule: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary, html: n.html})),
            }));
        }""",
        [include, WCAG_21_AA],
    )
    allowed = {(a.rule, a.selector) for a in ALLOWED}
    violations = []
    for violation in results:
        nodes = [n for n in violation["nodes"] if (violation["rule"], n["target"]) not in allowed]
        if nodes:
            violations.append({**violation, "nodes": nodes})
    return violations


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"{sum(len(v['nodes']) for v in violations)} axe violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['rule']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    {node['target']}  {node['html'][:120]}  — {summary[:240]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    … and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def assert_no_axe_violations(page, *, include: str | None = None) -> None:
    """Fail the test, naming page, rule and elements, if axe finds a WCAG 2.1 A/AA violation."""
    violations = axe_violations(page, include=include)
    assert not violations, format_violations(page.url, violations)
