"""iCalendar (RFC 5545) feeds of bookings, built with the icalendar package."""

from collections.abc import Iterable
from datetime import UTC

from django.conf import settings
from icalendar import Calendar, Event

from core import clock
from scheduler.models import Booking

PRODID = "-//labsite//booking feed//EN"


def calendar_feed_build(*, name: str, bookings: Iterable[Booking], host: str) -> bytes:
    """A VCALENDAR with one VEVENT per booking; times in UTC, a stable UID per booking.

    `bookings` should have device, device type and group owner loaded (select_related).
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    stamp = clock.now()
    for booking in bookings:
        event = Event()
        event.add("uid", f"booking-{booking.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", booking.start.astimezone(UTC))
        event.add("dtend", booking.end.astimezone(UTC))
        event.add("summary", f"{booking.device.name} ({booking.get_status_display().lower()})")
        event.add(
            "description",
            f"Session {booking.group_id} of {booking.group.owner.username}. "
            f"Device type: {booking.device.device_type.name}. Status: {booking.get_status_display()}.",
        )
        event.add("status", "CONFIRMED" if booking.status == "confirmed" else "TENTATIVE")
        event.add("last-modified", booking.updated_at)
        calendar.add_component(event)
    return calendar.to_ical()
