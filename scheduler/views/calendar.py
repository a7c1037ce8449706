"""iCal feeds: a personal secret URL for calendar apps, and a per-device feed for signed-in users.

The personal feed is authenticated by its unguessable key alone (calendar apps cannot sign in);
regenerating the key breaks the old URL. The per-device feed needs a signed-in session, because
who holds a device is visible only to lab members.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import clock
from core.hashing import new_secret
from core.services.audit import audit_log
from inventory.models import Device
from scheduler.calendar import calendar_feed_build
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking

FEED_PAST = timedelta(days=60)
CONTENT_TYPE = "text/calendar; charset=utf-8"


def _feed_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def _bookings():
    return Booking.objects.filter(status__in=ACTIVE_STATUSES, end__gte=clock.now() - FEED_PAST).select_related(
        "device", "device__device_type", "group__owner"
    ).order_by("start", "id")


def personal_feed(request, key: str):
    """Active bookings of the sessions the key's owner owns or collaborates on."""
    if len(key) < 20:
        raise Http404
    user = get_user_model().objects.filter(calendar_feed_key=key, is_active=True).first()
    if user is None:
        raise Http404
    bookings = _bookings().filter(Q(group__owner=user) | Q(group__collaborators=user)).distinct()
    body = calendar_feed_build(name=f"labsite bookings of {user.username}", bookings=bookings, host=request.get_host())
    return _feed_response(body, "labsite-bookings.ics")


@login_required
def device_feed(request, pk: int):
    device = get_object_or_404(Device, pk=pk)
    body = calendar_feed_build(name=f"labsite: {device.name}", bookings=_bookings().filter(device=device), host=request.get_host())
    return _feed_response(body, f"device-{device.pk}.ics")


@login_required
def calendar_settings(request):
    key = request.user.calendar_feed_key
    url = request.build_absolute_uri(f"/calendar/{key}.ics") if key else None
    return render(request, "scheduler/calendar_settings.html", {"feed_url": url, "nav": "account"})


@login_required
@require_POST
def calendar_key_regenerate(request):
    """Give the member a new feed key; the old URL stops working at once."""
    user = request.user
    with transaction.atomic():
        user.calendar_feed_key = new_secret(30)
        user.save(update_fields=["calendar_feed_key"])
        audit_log(actor=user, action="core.user.calendar_key_regenerated", target=user)
    messages.success(request, "New calendar feed URL created; the old one no longer works.")
    return redirect("calendar-settings")
