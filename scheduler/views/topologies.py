"""Topology pages: the composer (draw, resolve, book), the list of saved topologies, and making a
topology from a patch list or a past session.

The composer is one page with a small script of our own (static/scheduler/composer/): it keeps the
drawing in the browser and talks to the topology API (`/api/scheduler/topologies/`) to save,
resolve, find the earliest window and book, so the page and scripts share one set of rules. The
views here only read through selectors and write through the topology services.
"""

import json
from datetime import datetime, time, timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from rest_framework import serializers

from core import clock
from core.exceptions import ApplicationError, NotFound
from core.roles import is_lab_manager
from inventory.choices import DeviceStatus
from inventory.models import Device, DeviceType
from scheduler.api.serializers import LabDateTimeField
from scheduler.cart import lab_zone
from scheduler.selectors.availability import grid_ceil, policy_read
from scheduler.selectors.topologies import topology_alternatives_explain, topology_mapping_override, topology_rows
from scheduler.topology.services import (
    topologies_visible_to,
    topology_copy,
    topology_create_from_group,
    topology_create_from_patch_list,
    topology_delete,
    topology_require_visible,
)
from scheduler.views.common import error_text

OPTION_COUNTS = (1, 2, 3, 4, 5)
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class PatchListTopologyForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)
    text = forms.CharField(label="Patch list", widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}), max_length=100_000)
    pin = forms.BooleanField(label="Pin the devices (untick to keep only their types)", required=False, initial=True)


def palette_types() -> list[DeviceType]:
    """The device types the lab has: schedulable, with at least one bookable device, and how many."""
    return list(
        DeviceType.objects.filter(is_schedulable=True)
        .annotate(bookable_count=Count("devices", filter=Q(devices__status=DeviceStatus.AVAILABLE)))
        .filter(bookable_count__gt=0)
        .order_by("name")
    )


def window_defaults(policy) -> dict:
    """Form defaults in the lab's zone: tomorrow 09:00–17:00; "earliest" 4 hours from the next slot."""
    zone = lab_zone()
    now = clock.now()
    start = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(9), tzinfo=zone)
    after = grid_ceil(now, policy.slot_minutes, zone).astimezone(zone)
    return {
        "start": start.strftime(LOCAL_INPUT),
        "end": (start + timedelta(hours=8)).strftime(LOCAL_INPUT),
        "after": after.strftime(LOCAL_INPUT),
        "duration_hours": 4,
    }


def topology_data(topology) -> dict:
    """The topology as the API reads it (the composer's starting point)."""
    return {"id": topology.pk, "name": topology.name, "description": topology.description,
            "nodes": topology.nodes, "links": topology.links}


def composer_context(*, topology=None) -> dict:
    """What the composer needs: the palette, the names of the lab's devices and switches (so options
    and alternatives read as names), the window defaults and the URLs it calls. Four queries."""
    types = palette_types()
    policy = policy_read()
    pinned = {n.get("device") for n in (topology.nodes if topology else []) if n.get("device")}
    devices = {
        d["pk"]: d for d in Device.objects.filter(
            Q(status=DeviceStatus.AVAILABLE, device_type__is_schedulable=True) | Q(pk__in=pinned)
        ).values("pk", "name", "device_type_id")
    }
    switches = dict(Device.objects.filter(switch_ports__isnull=False).distinct().values_list("pk", "name"))
    return {
        "nav": "topologies",
        "topology": topology,
        "device_types": types,
        "defaults": window_defaults(policy),
        "option_counts": OPTION_COUNTS,
        "lab_zone": str(lab_zone()),
        "slot_minutes": policy.slot_minutes,
        "composer_data": {
            "topology": topology_data(topology) if topology else None,
            "device_types": [{"id": t.pk, "name": t.name} for t in types],
            "device_names": {pk: d["name"] for pk, d in devices.items()},
            "device_type_of": {pk: d["device_type_id"] for pk, d in devices.items() if pk in pinned},
            "switch_names": switches,
            "lab_zone": str(lab_zone()),
            "slot_minutes": policy.slot_minutes,
            "urls": {
                "api": reverse("scheduler-api:topology-list"),
                "devices": reverse("inventory-api:device-list"),
                "page_base": reverse("topologies"),
                "wiring_page": reverse("my-bookings") + "sessions/",
            },
        },
    }


def _visible_or_404(request, pk: int):
    try:
        return topology_require_visible(topology_id=pk, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
def topology_new(request):
    """An empty composer."""
    return render(request, "scheduler/topology_composer.html", composer_context())


@login_required
def topology_edit(request, pk: int):
    """The composer on a saved topology (own, or anyone's for a lab manager; 404 otherwise)."""
    return render(request, "scheduler/topology_composer.html", composer_context(topology=_visible_or_404(request, pk)))


@login_required
def topology_list(request):
    """Saved topologies with node and link counts and when they were last booked. A lab manager
    can switch to everyone's."""
    manager = is_lab_manager(request.user)
    everyone = manager and request.GET.get("show") == "all"
    queryset = topologies_visible_to(user=request.user)
    if not everyone:
        queryset = queryset.filter(owner=request.user)
    context = {
        "nav": "topologies",
        "rows": topology_rows(queryset=queryset),
        "show_all": manager,
        "everyone": everyone,
        "paste_form": PatchListTopologyForm(initial={"pin": True}),
    }
    return render(request, "scheduler/topology_list.html", context)


@login_required
@require_POST
def topology_copy_view(request, pk: int):
    copy = topology_copy(topology=_visible_or_404(request, pk), actor=request.user)
    messages.success(request, f"Copied as “{copy.name}”.")
    return redirect("topology", copy.pk)


@login_required
@require_POST
def topology_delete_view(request, pk: int):
    topology = _visible_or_404(request, pk)
    name = topology.name
    topology_delete(topology=topology, actor=request.user)
    messages.success(request, f"Deleted the topology “{name}”.")
    return redirect("topologies")


@login_required
def topology_from_patch_list(request):
    """Paste a patch list: a node per device behind the labels, a link per pair; then the composer."""
    form = PatchListTopologyForm(request.POST or None, initial={"pin": True})
    if request.method == "POST" and form.is_valid():
        try:
            topology = topology_create_from_patch_list(
                owner=request.user, name=form.cleaned_data["name"], text=form.cleaned_data["text"], pin=form.cleaned_data["pin"])
        except ApplicationError as exc:
            problems = [e.get("message") for e in exc.extra.get("errors", []) if e.get("message")]
            form.add_error("text", " ".join(dict.fromkeys(problems)) or error_text(exc))
        else:
            messages.success(request, f"Made “{topology.name}” from the patch list: "
                                      f"{len(topology.nodes)} node(s), {len(topology.links)} link(s).")
            return redirect("topology", topology.pk)
    return render(request, "scheduler/topology_from_patch_list.html", {"nav": "topologies", "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def topology_from_session(request, pk: int):
    """"New topology from this session" on My bookings: its devices as pinned nodes, its links."""
    try:
        topology = topology_create_from_group(owner=request.user, group_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
        return redirect("my-bookings")
    messages.success(request, f"Made “{topology.name}” from session {pk}; change it and resolve it for a new window.")
    return redirect("topology", topology.pk)


class OverrideInput(serializers.Serializer):
    start = LabDateTimeField()
    end = LabDateTimeField()
    node = serializers.CharField(max_length=50)
    device = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    mapping = serializers.DictField()

    def validate_mapping(self, value):
        nodes = value.get("nodes")
        if not isinstance(nodes, list) or not all(
            isinstance(n, dict) and isinstance(n.get("key"), str) and isinstance(n.get("device"), int) and not isinstance(n.get("device"), bool)
            for n in nodes
        ):
            raise serializers.ValidationError("mapping.nodes must be a list of {key, device} with device ids.")
        return {n["key"]: n["device"] for n in nodes}


class AlternativesInput(OverrideInput):
    device = None
    alternatives = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), max_length=5)


def _json_input(request, serializer_class):
    """(validated data, None) or (None, a 400 JsonResponse) for a JSON body."""
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None, JsonResponse({"detail": "The body must be JSON."}, status=400)
    data = serializer_class(data=payload if isinstance(payload, dict) else {})
    if not data.is_valid():
        return None, JsonResponse(data.errors, status=400)
    return data.validated_data, None


@login_required
@require_POST
def topology_alternatives(request, pk: int):
    """JSON for the composer: each alternative of a node, re-checked with the whole option, and why
    it ranks above or below the current device."""
    topology = _visible_or_404(request, pk)
    values, refusal = _json_input(request, AlternativesInput)
    if refusal:
        return refusal
    try:
        rows = topology_alternatives_explain(topology=topology, actor=request.user, start=values["start"], end=values["end"],
                                             devices=values["mapping"], key=values["node"], alternatives=values["alternatives"])
    except ApplicationError as exc:
        return JsonResponse({"detail": exc.message, **exc.extra}, status=exc.status_code)
    return JsonResponse({"alternatives": rows})


@login_required
@require_POST
def topology_override(request, pk: int):
    """JSON for the composer: the chosen option with one node on another device, re-checked whole by
    the resolver (200 `{feasible, mappings, reasons}`), or 400 with what is wrong."""
    topology = _visible_or_404(request, pk)
    values, refusal = _json_input(request, OverrideInput)
    if refusal:
        return refusal
    try:
        answer = topology_mapping_override(topology=topology, actor=request.user, start=values["start"], end=values["end"],
                                           devices=values["mapping"], key=values["node"], device=values["device"])
    except ApplicationError as exc:
        return JsonResponse({"detail": exc.message, **exc.extra}, status=exc.status_code)
    return JsonResponse(answer)
