"""A session's page with its status and wiring (patch list to copy, cross-connects, downloads):
where booking a topology lands, and what My bookings links to for sessions booked from one."""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from core import clock
from scheduler.models import Booking, BookingGroup
from scheduler.selectors.bookings import booking_groups_visible_to
from scheduler.selectors.topologies import topology_booked_from
from scheduler.topology.services import topologies_visible_to
from scheduler.topology.wiring import wiring_crossconnects, wiring_csv, wiring_json, wiring_of, wiring_python
from scheduler.views.bookings import session_status

DOWNLOADS = {
    "python": ("Patch list (.py)", "text/x-python; charset=utf-8", "py"),
    "json": ("JSON", "application/json", "json"),
    "csv": ("CSV with switch numbers", "text/csv; charset=utf-8", "csv"),
    "crossconnects": ("Cross-connects per switch (JSON)", "application/json", "json"),
}


def crossconnect_rows(links) -> list[dict]:
    """Per switch, each cross-connect (in → out) with the port labels it joins, in link order."""
    switches: dict[int, dict] = {}
    for w in links:
        if w.switch is None or not w.active:
            continue
        entry = switches.setdefault(w.switch.pk, {"name": w.switch.name, "rows": []})
        (a_in, b_out), (b_in, a_out) = w.cross_connects
        entry["rows"] += [{"in_port": a_in, "out_port": b_out, "from_label": w.a_port.name, "to_label": w.b_port.name},
                          {"in_port": b_in, "out_port": a_out, "from_label": w.b_port.name, "to_label": w.a_port.name}]
    return [switches[k] for k in sorted(switches)]


def _group_or_404(request, pk: int) -> BookingGroup:
    return get_object_or_404(booking_groups_visible_to(user=request.user, single=True).select_related("owner"), pk=pk)


@login_required
def session_wiring(request, pk: int):
    """The session's status, devices and, when booked from a topology, its wiring."""
    group = _group_or_404(request, pk)
    bookings = list(Booking.objects.filter(group=group).select_related("device").order_by("start", "device__name"))
    links = wiring_of(group=group)
    topology = topology_booked_from(group=group)
    context = {
        "nav": "bookings",
        "group": group,
        "status": session_status(bookings, clock.now()),
        "is_owner": group.owner_id == request.user.pk,
        "bookings": bookings,
        "collaborators": [u.username for u in group.collaborators.all()],
        "topology": topology,
        "topology_visible": topology is not None and topologies_visible_to(user=request.user).filter(pk=topology.pk).exists(),
        "wiring": {
            "python": wiring_python(links),
            "switches": crossconnect_rows(links),
            "fixed": [{"a": w.a_port.name, "b": w.b_port.name, "notes": f"{w.a}–{w.b}"} for w in links if w.switch is None],
        } if links else None,
        "download_formats": [(fmt, label) for fmt, (label, _t, _e) in DOWNLOADS.items()],
    }
    return render(request, "scheduler/session_wiring.html", context)


@login_required
def session_wiring_download(request, pk: int, fmt: str):
    """The wiring as a file: the lab scripts' patch list, JSON, CSV with switch numbers, or the
    cross-connects per switch."""
    if fmt not in DOWNLOADS:
        raise Http404("Unknown wiring format.")
    group = _group_or_404(request, pk)
    links = wiring_of(group=group)
    if not links:
        raise Http404("This session was not booked from a topology.")
    body = {
        "python": lambda: wiring_python(links) + "\n",
        "json": lambda: json.dumps({"group": group.pk, **wiring_json(links)}, indent=2),
        "csv": lambda: wiring_csv(links),
        "crossconnects": lambda: json.dumps(wiring_crossconnects(links), indent=2),
    }[fmt]()
    _label, content_type, extension = DOWNLOADS[fmt]
    response = HttpResponse(body, content_type=content_type)
    suffix = "crossconnects" if fmt == "crossconnects" else "wiring"
    response["Content-Disposition"] = f'attachment; filename="session-{group.pk}-{suffix}.{extension}"'
    return response
