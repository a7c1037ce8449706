"""May a user use these Polatis ports at a given moment? The question the lab's instrument scripts ask."""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.functions import Lower

from core import clock
from core.roles import is_lab_manager
from inventory.models import Device, Port
from scheduler.choices import BookingStatus
from scheduler.models import Booking, BookingGroup, MaintenanceWindow, PortReservation

# Placeholder the lab's patch lists use for an unconnected end.
NULL_LABEL = "null"


@dataclass
class PortAccess:
    port: str
    device: Device
    holders: list[str] = field(default_factory=list)
    usable: bool = True
    maintenance_until: datetime | None = None
    reason: str = ""


@dataclass
class AccessResult:
    allowed: bool
    at: datetime
    ports: list[PortAccess]
    unknown: list[str]


@dataclass
class DeviceHolding:
    """Who holds a device at an instant: the owners of its confirmed bookings covering it."""

    holders: list[str] = field(default_factory=list)
    # `user` owns or collaborates on one of those bookings.
    held_by_user: bool = False
    # Owners of covering bookings that `user` takes no part in.
    others: list[str] = field(default_factory=list)


def device_holdings_at(*, device_ids, user, at: datetime) -> dict[int, DeviceHolding]:
    """The holdings of the devices that have a confirmed booking covering `at` (others are absent).

    Pending and conflicting requests hold nothing yet. Two queries, whatever the number of devices.
    """
    holding = list(
        Booking.objects.filter(device_id__in=set(device_ids), status=BookingStatus.CONFIRMED, start__lte=at, end__gt=at)
        .order_by("start", "id")
        .values_list("device_id", "group_id", "group__owner_id", "group__owner__username")
    )
    shared_groups = set(
        BookingGroup.collaborators.through.objects.filter(
            bookinggroup_id__in={group_id for _, group_id, _, _ in holding}, user_id=getattr(user, "pk", None)
        ).values_list("bookinggroup_id", flat=True)
    ) if holding and getattr(user, "pk", None) else set()

    result: dict[int, DeviceHolding] = {}
    for device_id, group_id, owner_id, username in holding:
        entry = result.setdefault(device_id, DeviceHolding())
        if username not in entry.holders:
            entry.holders.append(username)
        if owner_id == getattr(user, "pk", None) or group_id in shared_groups:
            entry.held_by_user = True
        elif username not in entry.others:
            entry.others.append(username)
    return result


def device_maintenance_at(*, device_ids, at: datetime) -> dict[int, tuple[datetime, str]]:
    """(end, reason) of the maintenance covering `at`, for the devices under maintenance then. One query.

    Back-to-back or overlapping windows count as one maintenance, up to the end of the last of them.
    """
    windows = (
        MaintenanceWindow.objects.filter(device_id__in=set(device_ids), end__gt=at).order_by("device_id", "start")
        .values_list("device_id", "start", "end", "reason")
    )
    maintenance: dict[int, tuple[datetime, str]] = {}
    for device_id, start, end, reason in windows:
        current = maintenance.get(device_id)
        if current is None and start <= at:
            maintenance[device_id] = (end, reason)
        elif current is not None and start <= current[0]:
            maintenance[device_id] = (max(end, current[0]), current[1])
    return maintenance


def _port_reservations_at(*, ports, user, at: datetime) -> tuple[dict[int, list[str]], set[int]]:
    """({port id: owners of the confirmed sessions reserving it at `at`}, {port ids `user` may not use}).

    At most two queries; none when there are no ports.
    """
    user_id = getattr(user, "pk", None)
    reserving = list(
        PortReservation.objects.filter(port_id__in=[port.pk for port in ports], active=True, start__lte=at, end__gt=at,
                                       booking__status=BookingStatus.CONFIRMED)
        .order_by("start", "id")
        .values_list("port_id", "group_id", "group__owner_id", "group__owner__username")
    ) if ports else []
    shared_groups = set(
        BookingGroup.collaborators.through.objects.filter(
            bookinggroup_id__in={group_id for _, group_id, _, _ in reserving}, user_id=user_id
        ).values_list("bookinggroup_id", flat=True)
    ) if reserving and user_id else set()
    port_holders: dict[int, list[str]] = {}
    refused: set[int] = set()
    for port_id, group_id, owner_id, username in reserving:
        names = port_holders.setdefault(port_id, [])
        if username not in names:
            names.append(username)
        if not (owner_id == user_id or group_id in shared_groups):
            refused.add(port_id)
    return port_holders, refused


def access_labels(*, patches: list[list[str]] | None = None, ports: list[str] | None = None) -> list[str]:
    """The labels to check, in order of first appearance, without "NULL" entries or case-insensitive repeats."""
    labels: list[str] = []
    seen: set[str] = set()
    for label in [label for patch in patches or () for label in patch] + list(ports or ()):
        label = label.strip()
        key = label.lower()
        if not key or key == NULL_LABEL or key in seen:
            continue
        seen.add(key)
        labels.append(label)
    return labels


def maintenance_reason(*, until: datetime, reason: str = "") -> str:
    """'maintenance until 18:00 on 3 Dec 2026 (Europe/Dublin): OTDR calibration'."""
    local = until.astimezone(ZoneInfo(settings.TIME_ZONE))
    text = f"maintenance until {local:%H:%M} on {local.day} {local:%b %Y} ({settings.TIME_ZONE})"
    return f"{text}: {reason}" if reason else text


def access_check(*, user, patches: list[list[str]] | None = None, ports: list[str] | None = None,
                 at: datetime | None = None) -> AccessResult:
    """Which ports `user` may use at `at` (default now), and whether all of them are usable.

    A port is usable when its device has no confirmed booking covering `at`, or one of those
    bookings belongs to `user` or lists `user` as a collaborator. Pending and conflicting requests
    hold nothing yet. A port reserved (PortReservation) by a confirmed booking covering `at` is
    likewise usable only by that session's owner and collaborators, even when the port's device
    is not booked. During a maintenance window of the device no one but a lab manager may use it
    ("maintenance until …"). Labels match in any case; unknown labels make `allowed` false. Five
    queries at most (plus the user's permissions when a window is on).
    """
    at = at or clock.now()
    labels = access_labels(patches=patches, ports=ports)
    found = {
        port.lname: port
        for port in Port.objects.annotate(lname=Lower("name"))
        .filter(lname__in=[label.lower() for label in labels])
        .select_related("device")
    }
    unknown = [label for label in labels if label.lower() not in found]
    known = [found[label.lower()] for label in labels if label.lower() in found]

    device_ids = {port.device_id for port in known}
    holdings = device_holdings_at(device_ids=device_ids, user=user, at=at)
    maintenance = device_maintenance_at(device_ids=device_ids, at=at)
    manager = bool(maintenance) and is_lab_manager(user)
    port_holders, refused_ports = _port_reservations_at(ports=known, user=user, at=at)

    checked = []
    for port in known:
        holding = holdings.get(port.device_id)
        device_holders = holding.holders if holding else []
        usable = not device_holders or holding.held_by_user
        reason = "" if usable else f"held by {', '.join(device_holders)}"
        reserved_by = [n for n in port_holders.get(port.pk, []) if n not in device_holders]
        if usable and port.pk in refused_ports:
            usable = False
            reason = f"reserved by {', '.join(port_holders[port.pk])}"
        until = None
        if port.device_id in maintenance:
            until, why = maintenance[port.device_id]
            if not manager:
                usable = False
                reason = maintenance_reason(until=until, reason=why)
        checked.append(PortAccess(port=port.name, device=port.device, holders=device_holders + reserved_by,
                                  usable=usable, maintenance_until=until, reason=reason))
    allowed = not unknown and all(p.usable for p in checked)
    return AccessResult(allowed=allowed, at=at, ports=checked, unknown=unknown)
