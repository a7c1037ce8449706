"""iCal feeds: a personal secret URL for calendar apps, and per-device feeds.

Calendar apps cannot sign in, so feeds for them are authenticated by the member's unguessable
feed key alone: /calendar/<key>.ics (the member's sessions) and /calendar/<key>/devices/<id>.ics
(everyone's active bookings of one device, since any lab member sees them on the schedule).
Regenerating the key breaks both old URLs. /devices/<id>/calendar.ics serves the device feed to a
signed-in browser.

Only the key's digest is stored (core.services.users): the feed URL is shown once, on the page that
follows its creation, like an API token's key.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core import clock
from core.selectors import user_for_calendar_key
from core.services.users import user_calendar_key_regenerate, user_calendar_key_revoke
from inventory.models import Device
from scheduler.calendar import calendar_feed_build
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking
from scheduler.selectors.bookings import booking_group_ids_of

FEED_PAST = timedelta(days=60)
# The new key, kept in the signed-in browser's request.session for the one page that follows its creation.
NEW_FEED_KEY = "new_calendar_feed_key"
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


def _feed_user(key: str):
    user = user_for_calendar_key(key=key)
    if user is None:
        raise Http404("Unknown calendar feed; copy the current URL from your calendar feed page.")
    return user


def personal_feed(request, key: str):
    """Active bookings of the sessions the key's owner owns or collaborates on."""
    user = _feed_user(key)
    bookings = _bookings().filter(group_id__in=booking_group_ids_of(user=user))
    body = calendar_feed_build(name=f"labsite bookings of {user.username}", bookings=bookings, host=request.get_host())
    return _feed_response(body, "labsite-bookings.ics")


def device_feed_by_key(request, key: str, pk: int):
    """A device's active bookings for a calendar app, authenticated by the member's feed key."""
    _feed_user(key)
    device = get_object_or_404(Device, pk=pk)
    body = calendar_feed_build(name=f"labsite: {device.name}", bookings=_bookings().filter(device=device), host=request.get_host())
    return _feed_response(body, f"device-{device.pk}.ics")


@login_required
def device_feed(request, pk: int):
    device = get_object_or_404(Device, pk=pk)
    body = calendar_feed_build(name=f"labsite: {device.name}", bookings=_bookings().filter(device=device), host=request.get_host())
    return _feed_response(body, f"device-{device.pk}.ics")


@login_required
def calendar_settings(request):
    """The member's feed: its URL right after it was created (shown once), else whether one exists."""
    key = request.session.pop(NEW_FEED_KEY, None)
    context = {"has_feed": request.user.calendar_key_digest is not None, "nav": "account"}
    if key:
        url = request.build_absolute_uri(reverse("calendar-feed", args=[key]))
        # webcal:// makes the browser hand the feed to the system's calendar app as a subscription.
        context |= {
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[1],
            "device_feed_example": request.build_absolute_uri(reverse("device-calendar-feed-key", args=[key, 0])),
        }
    response = render(request, "scheduler/calendar_settings.html", context)
    if key:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def calendar_key_regenerate(request):
    """Give the member a new feed key, shown once on the next page; the old URL stops working at once."""
    request.session[NEW_FEED_KEY] = user_calendar_key_regenerate(user=request.user)
    messages.success(request, "New calendar feed URL created; copy it now: it is not shown again. The old one no longer works.")
    return redirect("calendar-settings")


@login_required
@require_POST
def calendar_key_revoke(request):
    """Turn the member's feed off: every URL with their key stops working."""
    if user_calendar_key_revoke(user=request.user, actor=request.user):
        messages.success(request, "Calendar feed turned off; calendars using its URL no longer update.")
    return redirect("calendar-settings")
