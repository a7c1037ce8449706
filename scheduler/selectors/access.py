"""May a user use these Polatis ports at a given moment? The question the lab's instrument scripts ask."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models.functions import Lower

from core import clock
from inventory.models import Device, Port
from scheduler.choices import BookingStatus
from scheduler.models import Booking, BookingGroup, PortReservation

# Placeholder the lab's patch lists use for an unconnected end.
NULL_LABEL = "null"


@dataclass
class PortAccess:
    port: str
    device: Device
    holders: list[str] = field(default_factory=list)
    usable: bool = True


@dataclass
class AccessResult:
    allowed: bool
    at: datetime
    ports: list[PortAccess]
    unknown: list[str]


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


def access_check(*, user, patches: list[list[str]] | None = None, ports: list[str] | None = None,
                 at: datetime | None = None) -> AccessResult:
    """Which ports `user` may use at `at` (default now), and whether all of them are usable.

    A port is usable when its device has no confirmed booking covering `at`, or one of those
    bookings belongs to `user` or lists `user` as a collaborator. Pending and conflicting requests
    hold nothing yet. A port reserved (PortReservation) by a confirmed booking covering `at` is
    likewise usable only by that session's owner and collaborators, even when the port's device
    is not booked. Labels match in any case; unknown labels make `allowed` false. Four queries.
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
    holding = list(
        Booking.objects.filter(device_id__in=device_ids, status=BookingStatus.CONFIRMED, start__lte=at, end__gt=at)
        .order_by("start", "id")
        .values_list("device_id", "group_id", "group__owner_id", "group__owner__username")
    )
    reserving = list(
        PortReservation.objects.filter(port_id__in=[port.pk for port in known], active=True, start__lte=at, end__gt=at,
                                       booking__status=BookingStatus.CONFIRMED)
        .order_by("start", "id")
        .values_list("port_id", "group_id", "group__owner_id", "group__owner__username")
    ) if known else []
    group_ids = {group_id for _, group_id, _, _ in holding} | {group_id for _, group_id, _, _ in reserving}
    shared_groups = set(
        BookingGroup.collaborators.through.objects.filter(
            bookinggroup_id__in=group_ids, user_id=user.pk
        ).values_list("bookinggroup_id", flat=True)
    ) if group_ids else set()

    holders: dict[int, list[str]] = {}
    usable_devices: set[int] = set()
    for device_id, group_id, owner_id, username in holding:
        names = holders.setdefault(device_id, [])
        if username not in names:
            names.append(username)
        if owner_id == user.pk or group_id in shared_groups:
            usable_devices.add(device_id)

    port_holders: dict[int, list[str]] = {}
    refused_ports: set[int] = set()
    for port_id, group_id, owner_id, username in reserving:
        names = port_holders.setdefault(port_id, [])
        if username not in names:
            names.append(username)
        if not (owner_id == user.pk or group_id in shared_groups):
            refused_ports.add(port_id)

    checked = []
    for port in known:
        device_holders = holders.get(port.device_id, [])
        usable = (not device_holders or port.device_id in usable_devices) and port.pk not in refused_ports
        names = device_holders + [n for n in port_holders.get(port.pk, []) if n not in device_holders]
        checked.append(PortAccess(port=port.name, device=port.device, holders=names, usable=usable))
    allowed = not unknown and all(p.usable for p in checked)
    return AccessResult(allowed=allowed, at=at, ports=checked, unknown=unknown)
