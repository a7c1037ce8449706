"""Topology pages: the composer (draw, resolve, book) and the list of saved topologies.

The composer is one page with a small script of our own (static/scheduler/composer/): it keeps the
drawing in the browser and talks to the topology API (`/api/scheduler/topologies/`) to save,
resolve, find the earliest window and book, so the page and scripts share one set of rules.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse

from core import clock
from inventory.choices import DeviceStatus
from inventory.models import DeviceType
from scheduler.cart import lab_zone
from scheduler.selectors.availability import grid_ceil, policy_read

OPTION_COUNTS = (1, 2, 3, 4, 5)
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def palette_types():
    """The device types the lab has: schedulable, with at least one bookable device, and how many."""
    return list(
        DeviceType.objects.filter(is_schedulable=True)
        .annotate(bookable_count=Count("devices", filter=Q(devices__status=DeviceStatus.AVAILABLE)))
        .filter(bookable_count__gt=0)
        .order_by("name")
    )


def window_defaults(policy) -> dict:
    """Form defaults in the lab's zone: tomorrow 09:00–17:00, or 4 hours from the next slot."""
    zone = lab_zone()
    now = clock.now()
    tomorrow = now.astimezone(zone).date() + timedelta(days=1)
    start = datetime.combine(tomorrow, time(9), tzinfo=zone)
    after = grid_ceil(now, policy.slot_minutes, zone).astimezone(zone)
    return {
        "start": start.strftime(LOCAL_INPUT),
        "end": (start + timedelta(hours=8)).strftime(LOCAL_INPUT),
        "after": after.strftime(LOCAL_INPUT),
        "duration_hours": 4,
    }


def composer_context(request, *, topology=None, topology_data=None, device_names=None) -> dict:
    types = palette_types()
    policy = policy_read()
    return {
        "nav": "topologies",
        "topology": topology,
        "device_types": types,
        "defaults": window_defaults(policy),
        "option_counts": OPTION_COUNTS,
        "lab_zone": str(lab_zone()),
        "slot_minutes": policy.slot_minutes,
        "composer_data": {
            "topology": topology_data,
            "device_types": [{"id": t.pk, "name": t.name} for t in types],
            "device_names": device_names or {},
            "lab_zone": str(lab_zone()),
            "slot_minutes": policy.slot_minutes,
            "urls": {
                "api": "/api/scheduler/topologies/",
                "devices": reverse("inventory-api:device-list"),
                "page_base": "/topologies/",
                "wiring_page": "/bookings/sessions/",
            },
        },
    }


@login_required
def topology_new(request):
    """An empty composer."""
    return render(request, "scheduler/topology_composer.html", composer_context(request))


@login_required
def topology_list(request):
    """Saved topologies (the member's own; a manager's view shows everyone's)."""
    return render(request, "scheduler/topology_list.html", {"nav": "topologies", "rows": []})
