"""What the resolver reads: candidate devices, their bookings, maintenance, ports and port reservations.

`world_load` reads everything for one span of time in a constant number of queries (eight),
whatever the number of bookings; `World` then answers, in memory, which devices and ports are
usable in any window inside that span. The rules applied are those of the booking service
(DESIGN §4.2–4.4): the device is bookable, not under maintenance, has a unit of capacity free at
every instant of the window, and the requester holds no overlapping active booking of it.
"""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db.models import Q

from inventory.choices import DeviceStatus
from inventory.connectivity import PortInfo, Wiring, wiring_load
from inventory.models import Device
from scheduler import booking_rules as rules
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, MaintenanceWindow
from scheduler.topology.models import PortReservation
from scheduler.topology.spec import NodeSpec


def _start(item) -> datetime:
    return item.start


class Busy(NamedTuple):
    """An interval that holds a device or port: a booking, maintenance or a port reservation (a tuple:
    tens of thousands are built for an earliest-window scan)."""

    start: datetime
    end: datetime
    who: str  # the holder's username, or "maintenance"
    kind: str  # "booking" | "maintenance" | "port"
    user_id: int | None = None
    status: str = ""


@dataclass
class DeviceInfo:
    id: int
    name: str
    type_id: int
    type_name: str
    bookable: bool
    status: str
    capacity: int
    site_id: int | None
    tags: frozenset[int]
    bookings: list[Busy] = field(default_factory=list)  # sorted by start
    maintenance: list[Busy] = field(default_factory=list)


@dataclass
class World:
    """The lab as the resolver sees it, for windows inside [span_start, span_end)."""

    span_start: datetime
    span_end: datetime
    requester_id: int | None
    devices: dict[int, DeviceInfo]
    wiring: Wiring
    port_busy: dict[int, list[Busy]]  # port id → active reservations, sorted by start
    switch_names: dict[int, str]
    switch_sites: dict[int, int | None]
    max_len: timedelta = timedelta(0)  # the longest interval loaded
    memo: dict = field(default_factory=dict)

    # --- devices ---

    def _overlapping(self, items: list[Busy], start: datetime, end: datetime) -> list[Busy]:
        # Items are sorted by start: anything starting at or after `end` cannot overlap, and
        # nothing that starts more than the longest interval before `start` can reach it.
        stop = bisect_left(items, end, key=_start)
        first = bisect_left(items, start - self.max_len, key=_start, hi=stop)
        return [b for b in items[first:stop] if b.end > start]

    def device_problem(self, device_id: int, start: datetime, end: datetime) -> tuple[str, str] | None:
        """(code, message) saying why the device cannot take a booking in [start, end); None when it can."""
        d = self.devices.get(device_id)
        if d is None:
            return "unavailable", f"Device {device_id} does not exist."
        if not d.bookable:
            return "unavailable", f"{d.name} cannot be booked (status {d.status})."
        for window in self._overlapping(d.maintenance, start, end):
            return "maintenance", f"{d.name} is under maintenance until {window.end:%Y-%m-%d %H:%M} UTC."
        overlapping = self._overlapping(d.bookings, start, end)
        for booking in overlapping:
            if booking.user_id is not None and booking.user_id == self.requester_id:
                return "own_overlap", f"You already hold {d.name} until {booking.end:%Y-%m-%d %H:%M} UTC."
        if overlapping and rules.depth_with(start, end, [(b.start, b.end) for b in overlapping]) > d.capacity:
            holders = ", ".join(sorted({f"{b.who} until {b.end:%d %b %H:%M}" for b in overlapping})[:3])
            return "capacity", f"{d.name} is fully booked ({holders})."
        return None

    def shared_with(self, device_id: int, start: datetime, end: datetime) -> list[Busy]:
        """Other users' active bookings of the device that overlap the window (a soft conflict)."""
        return [b for b in self._overlapping(self.devices[device_id].bookings, start, end) if b.user_id != self.requester_id]

    def gaps_around(self, device_id: int, start: datetime, end: datetime) -> tuple[float, float]:
        """Hours of free time left just before and just after the window on the device (capped at a week)."""
        cap = 24 * 7.0
        before = after = cap
        for items in (self.devices[device_id].bookings, self.devices[device_id].maintenance):
            stop = bisect_left(items, end, key=_start)
            if stop < len(items):
                after = min(after, (items[stop].start - end).total_seconds() / 3600)
            for b in items[bisect_left(items, start - self.max_len - timedelta(days=7), key=_start, hi=stop):stop]:
                if b.end <= start:
                    before = min(before, (start - b.end).total_seconds() / 3600)
        return max(before, 0.0), max(after, 0.0)

    # --- ports ---

    def port_free(self, port_id: int, start: datetime, end: datetime) -> bool:
        return not self._overlapping(self.port_busy.get(port_id, []), start, end)

    def port_holder(self, port_id: int, start: datetime, end: datetime) -> Busy | None:
        found = self._overlapping(self.port_busy.get(port_id, []), start, end)
        return found[0] if found else None

    def free_switch_ports(self, device_id: int, start: datetime, end: datetime) -> dict[int, list[PortInfo]]:
        """The device's free cross-connectable ports in the window, by switch, in label order (memoised)."""
        key = (device_id, start, end)
        if key not in self.memo:
            self.memo[key] = self._free_switch_ports(device_id, start, end)
        return self.memo[key]

    def _free_switch_ports(self, device_id: int, start: datetime, end: datetime) -> dict[int, list[PortInfo]]:
        result = {}
        for switch_id, ports in self.wiring.switch_ports(device_id).items():
            free = [p for p in ports if self.port_free(p.id, start, end)]
            if free:
                result[switch_id] = free
        return result

    def free_fixed_links(self, device_id: int, start: datetime, end: datetime) -> list[tuple[int, int, int, int]]:
        """(link id, own port, far port, far device) for the device's fixed links whose both ports are free."""
        result = []
        for link_id, own, other in self.wiring.fixed_links(device_id):
            far = self.wiring.ports.get(other)
            if far and self.port_free(own, start, end) and self.port_free(other, start, end):
                result.append((link_id, own, other, far.device_id))
        return result


def world_load(*, nodes: list[NodeSpec], start: datetime, end: datetime, requester=None,
               extra_device_ids: tuple[int, ...] = ()) -> World:
    """Read the devices the nodes could use and everything that holds them in [start, end). Eight queries."""
    type_ids = {n.device_type for n in nodes if n.device_type}
    pinned = {n.device for n in nodes if n.device} | set(extra_device_ids)
    which = Q(device_type_id__in=type_ids) | Q(pk__in=pinned)
    # Related rows are filtered by a subquery on the devices, not a list of (hundreds of) ids.
    device_ids = Device.objects.filter(which).values("pk")
    tags: dict[int, set[int]] = defaultdict(set)
    for device_id, tag_id in Device.tags.through.objects.filter(device_id__in=device_ids).values_list("device_id", "tag_id"):
        tags[device_id].add(tag_id)
    devices = {}
    for (pk, name, type_id, type_name, schedulable, default_capacity, status, capacity, site_id) in (
            Device.objects.filter(which).order_by("pk").values_list(
                "pk", "name", "device_type_id", "device_type__name", "device_type__is_schedulable",
                "device_type__default_capacity", "status", "capacity", "site_id")):
        devices[pk] = DeviceInfo(
            id=pk, name=name, type_id=type_id, type_name=type_name,
            bookable=status == DeviceStatus.AVAILABLE and schedulable, status=status,
            capacity=capacity or default_capacity, site_id=site_id, tags=frozenset(tags.get(pk, ())))
    active = Booking.objects.filter(device_id__in=device_ids, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start)
    for device_id, b_start, b_end, status, owner_id, username in active.order_by("start", "id").values_list(
            "device_id", "start", "end", "status", "group__owner_id", "group__owner__username"):
        devices[device_id].bookings.append(Busy(b_start, b_end, username, "booking", owner_id, status))
    for device_id, m_start, m_end in MaintenanceWindow.objects.filter(
            device_id__in=device_ids, start__lt=end, end__gt=start).order_by("start").values_list("device_id", "start", "end"):
        devices[device_id].maintenance.append(Busy(m_start, m_end, "maintenance", "maintenance"))
    wiring = wiring_load(device_ids=device_ids)
    port_busy: dict[int, list[Busy]] = defaultdict(list)
    for port_id, r_start, r_end, owner_id, username in PortReservation.objects.filter(
            port__device_id__in=device_ids, active=True, start__lt=end, end__gt=start).order_by("start").values_list(
            "port_id", "start", "end", "group__owner_id", "group__owner__username"):
        port_busy[port_id].append(Busy(r_start, r_end, username, "port", owner_id))
    switch_ids = {p.switch_id for p in wiring.ports.values() if p.switch_id}
    switches = list(Device.objects.filter(pk__in=switch_ids).values_list("pk", "name", "site_id")) if switch_ids else []
    lengths = [b.end - b.start for d in devices.values() for b in (*d.bookings, *d.maintenance)]
    lengths += [b.end - b.start for items in port_busy.values() for b in items]
    return World(max_len=max(lengths, default=timedelta(0)), span_start=start, span_end=end, requester_id=getattr(requester, "pk", None), devices=devices,
                 wiring=wiring, port_busy=dict(port_busy),
                 switch_names={pk: name for pk, name, _ in switches}, switch_sites={pk: site for pk, _, site in switches})
