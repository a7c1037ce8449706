"""Charts drawn on the server as SVG: the demand heatmap and horizontal bar charts for the reports.

Plain SVG elements with class names (colours live in the style sheets, so light and dark themes
and the Content Security Policy apply: no inline style, no script). Every chart is an image with a
title and a description, each mark has a <title> tooltip, and the pages print the same figures as
a table. Charting libraries were considered (pygal, matplotlib): both write inline styles or
scripts into the SVG, which the site's CSP forbids, so these ~150 lines draw the few shapes needed.
"""

from collections.abc import Sequence
from html import escape
from itertools import count

from django.utils.safestring import SafeString, mark_safe

from scheduler.cart import SLOTS

_ids = count(1)
# Upper bounds (exclusive, as shares) of the heatmap's colour classes heat-0 … heat-5.
HEAT_BOUNDS = (0.10, 0.25, 0.50, 0.75, 0.90)
HEAT_LEGEND = ("under 10 %", "10–25 %", "25–50 %", "50–75 %", "75–90 %", "90 % and more")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def heat_class(share: float | None) -> str:
    if share is None:
        return "heat-na"
    for index, bound in enumerate(HEAT_BOUNDS):
        if share < bound:
            return f"heat-{index}"
    return f"heat-{len(HEAT_BOUNDS)}"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)} %"


def _frame(width: int, height: int, title: str, desc: str, body: list[str], css: str) -> SafeString:
    n = next(_ids)
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="chart-t{n} chart-d{n}" preserveAspectRatio="xMinYMin meet">'
        f'<title id="chart-t{n}">{escape(title)}</title><desc id="chart-d{n}">{escape(desc)}</desc>'
        + "".join(body) + "</svg>"
    )


def heatmap_svg(heat, *, title: str, desc: str) -> SafeString:
    """Weekdays across, the lab's slots down; each cell coloured by its booked share and labelled with it."""
    cell_w, cell_h, left, top = 64, 40, 64, 24
    body = []
    for day, name in enumerate(WEEKDAYS):
        body.append(f'<text class="chart-label" x="{left + day * cell_w + cell_w / 2}" y="16" text-anchor="middle">{name}</text>')
    for row, slot in enumerate(SLOTS):
        y = top + row * cell_h
        body.append(f'<text class="chart-label" x="{left - 8}" y="{y + cell_h / 2 + 5}" text-anchor="end">{escape(slot.label)}</text>')
        for day, name in enumerate(WEEKDAYS):
            cell = heat.cell(day, slot.key)
            klass = heat_class(cell.share)
            x = left + day * cell_w
            tip = (f"{name} {slot.label}: {percent(cell.share)} booked "
                   f"({cell.booked_hours:g} of {cell.bookable_hours:g} bookable hours)")
            body.append(
                f'<g class="heat-cell {klass}"><title>{escape(tip)}</title>'
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" rx="3"/>'
                f'<text x="{x + cell_w / 2}" y="{y + cell_h / 2 + 5}" text-anchor="middle">{percent(cell.share)}</text></g>'
            )
    return _frame(left + 7 * cell_w + 4, top + len(SLOTS) * cell_h + 4, title, desc, body, "heatmap")


def bar_chart_svg(rows: Sequence[tuple[str, Sequence[float]]], *, series: Sequence[str], title: str, desc: str,
                  unit: str = "", maximum: float | None = None, fmt=lambda v: f"{v:g}") -> SafeString:
    """Horizontal stacked bars: one row per label, one segment per series (classes series-0, series-1, …)."""
    label_w, bar_w, row_h, top = 170, 360, 24, 8
    legend_h = 22
    total_max = maximum or max((sum(values) for _, values in rows), default=0) or 1
    body = []
    for index, name in enumerate(series):
        x = label_w + index * 130
        body.append(f'<rect class="series-{index}" x="{x}" y="{top}" width="12" height="12"/>'
                    f'<text class="chart-label" x="{x + 16}" y="{top + 11}">{escape(name)}</text>')
    for row, (label, values) in enumerate(rows):
        y = top + legend_h + row * row_h
        short = label if len(label) <= 24 else label[:23] + "…"
        body.append(f'<text class="chart-label" x="{label_w - 8}" y="{y + 15}" text-anchor="end">{escape(short)}</text>')
        x = label_w
        for index, value in enumerate(values):
            width = bar_w * max(value, 0) / total_max
            if width > 0:
                tip = f"{label} – {series[index]}: {fmt(value)}{unit}"
                body.append(f'<rect class="series-{index}" x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}">'
                            f'<title>{escape(tip)}</title></rect>')
            x += width
        body.append(f'<text class="chart-label" x="{x + 6:.1f}" y="{y + 15}">{escape(fmt(sum(values)))}{escape(unit)}</text>')
    height = top + legend_h + max(len(rows), 1) * row_h + 4
    return _frame(label_w + bar_w + 90, height, title, desc, body, "bars")
