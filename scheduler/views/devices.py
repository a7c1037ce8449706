"""A device's page: details, ports, attachments, tags and a few weeks of its bookings."""

from datetime import datetime, time, timedelta

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from core import clock
from core.roles import is_lab_manager
from inventory.models import Attachment, Device
from scheduler.cart import lab_zone
from scheduler.choices import STATUS_COLORS
from scheduler.constants import ACTIVE_STATUSES
from scheduler.forms import CartRangeForm
from scheduler.models import Booking, MaintenanceWindow
from scheduler.selectors.power import outlets_queryset, outlets_with_holders

CALENDAR_WEEKS = 4


@login_required
def device_detail(request, pk: int):
    device = get_object_or_404(
        Device.objects.select_related("device_type", "manufacturer", "site").prefetch_related("tags", "ports", "attachments"),
        pk=pk,
    )
    now = clock.now()
    today = now.astimezone(lab_zone()).date()
    monday = today - timedelta(days=today.weekday())
    start = datetime.combine(monday, time.min, tzinfo=lab_zone())
    end = start + timedelta(weeks=CALENDAR_WEEKS)
    bookings = list(
        Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start)
        .select_related("group__owner")
        .order_by("start")
    )
    maintenance = list(MaintenanceWindow.objects.filter(device=device, start__lt=end, end__gt=now).order_by("start"))
    weeks = []
    for w in range(CALENDAR_WEEKS):
        days = []
        for d in range(7):
            day = monday + timedelta(weeks=w, days=d)
            day_bookings = [
                b for b in bookings
                if b.start.astimezone(lab_zone()).date() <= day <= (b.end - timedelta(microseconds=1)).astimezone(lab_zone()).date()
            ]
            days.append({"day": day, "bookings": day_bookings, "is_today": day == today,
                         "maintenance": any(m.start.astimezone(lab_zone()).date() <= day <= m.end.astimezone(lab_zone()).date() for m in maintenance)})
        weeks.append(days)
    context = {
        "device": device,
        "device_list": [device],
        "weeks": weeks,
        "bookings": bookings,
        "maintenance": maintenance,
        "colors": STATUS_COLORS,
        "range_form": CartRangeForm(initial={"preset": "all_day"}),
        "feed_url": request.build_absolute_uri(reverse("device-calendar-feed-key", args=[request.user.calendar_feed_key, device.pk]))
        if request.user.calendar_feed_key else None,
        "nav": "schedule",
        "power_outlets": outlets_with_holders(outlets=outlets_queryset().filter(device=device), user=request.user),
        "power_manager": is_lab_manager(request.user),
    }
    return render(request, "scheduler/device.html", context)


@login_required
def attachment_download(request, pk: int, attachment_pk: int):
    """Serve an attachment to signed-in users under its original name."""
    attachment = get_object_or_404(Attachment, pk=attachment_pk, device_id=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file of this attachment is missing; tell a lab manager.") from missing
    return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                        content_type=attachment.content_type or "application/octet-stream")
