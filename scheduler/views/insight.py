"""Insight pages for members: what is free in a window (one click into the cart), and demand."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from scheduler.booking_rules import describe_window
from scheduler.cart import SLOTS, SLOTS_BY_KEY, Cart, lab_zone
from scheduler.charts import HEAT_LEGEND, heatmap_svg, percent
from scheduler.forms_insight import CartAddOneForm, DemandForm, FreeWindowForm
from scheduler.selectors.insight.demand import DEFAULT_WEEKS, demand_heatmap
from scheduler.selectors.insight.free import free_for
from scheduler.views.common import back


@login_required
def free_page(request):
    """Free, shared and refused devices per type for a window (this week's lab days until one is picked)."""
    if request.GET:
        form = FreeWindowForm(request.GET)
        data = form.cleaned_data if form.is_valid() else None
        if data is not None and not request.GET.get("start"):
            # Show the window that was worked out (from ?week=) in the fields.
            form = FreeWindowForm(initial={"start": timezone.localtime(data["start"]), "end": timezone.localtime(data["end"]),
                                           "device_type": data.get("device_type"), "site": data.get("site")})
    else:
        data = FreeWindowForm.default_window()
        form = FreeWindowForm(initial={"start": timezone.localtime(data["start"]), "end": timezone.localtime(data["end"])})
    report = None
    if data is not None:
        report = free_for(start=data["start"], end=data["end"], device_type=data.get("device_type"), site=data.get("site"))
    context = {"form": form, "report": report, "nav": "free",
               "window_text": describe_window(report.start, report.end, lab_zone()) if report else ""}
    return render(request, "scheduler/free.html", context)


@login_required
@require_POST
def free_add(request):
    """Put one device for one window in the cart (the booking rules are checked on the cart page)."""
    form = CartAddOneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "That device or window is not valid; pick it again.")
        return back(request, "free")
    data = form.cleaned_data
    count = Cart(request.session).add([(data["device"].pk, data["start"], data["end"])])
    messages.success(request, f"Added {data['device'].name} {describe_window(data['start'], data['end'], lab_zone())} "
                              f"to the cart; it holds {count} item(s).")
    return back(request, "free")


@login_required
def demand_page(request):
    form = DemandForm(request.GET or None, initial={"weeks": DEFAULT_WEEKS})
    filters = form.cleaned_data if request.GET and form.is_valid() else {}
    heatmap = None
    if not request.GET or form.is_valid():
        heatmap = demand_heatmap(weeks=filters.get("weeks") or DEFAULT_WEEKS, device_type=filters.get("device_type"))
    maps = []
    for heat in heatmap.types if heatmap else []:
        busiest, quietest = heat.busiest, heat.quietest
        summary = (f"Busiest: {_cell_name(busiest)} ({percent(busiest.share)}); quietest: {_cell_name(quietest)} "
                   f"({percent(quietest.share)})." if busiest else "Nothing was bookable in this period.")
        title = f"{heat.device_type}: booked share of bookable hours by weekday and slot"
        maps.append({"heat": heat, "summary": summary,
                     "svg": heatmap_svg(heat, title=title, desc=summary),
                     "rows": _table_rows(heat)})
    legend = [(f"heat-{n}", label) for n, label in enumerate(HEAT_LEGEND)]
    return render(request, "scheduler/demand.html", {"form": form, "heatmap": heatmap, "maps": maps,
                                                      "legend": legend, "nav": "demand"})


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _cell_name(cell) -> str:
    return f"{WEEKDAY_NAMES[cell.weekday]} {SLOTS_BY_KEY[cell.slot].label}"


def _table_rows(heat) -> list[dict]:
    return [{"slot": slot.label, "cells": [percent(heat.cell(day, slot.key).share) for day in range(7)]} for slot in SLOTS]
