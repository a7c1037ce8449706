"""Book a mapping: one session with a booking per device and a PortReservation per used port.

One transaction under the booking service's device lock (`services.locking.devices_lock`, the
same rows `booking_request` locks). Order: lock the mapped devices, re-check the mapping against
the lab as it is now (wiring and port reservations, read after the lock), create the session
through `booking_request` (every rule of DESIGN §4: grid, horizon, maintenance, capacity, own
overlap, soft conflicts, per-user limit), then write the reservations. Port exclusivity is kept
by the lock on every database; on PostgreSQL an exclusion constraint backs it up, and a
violation of it is answered 409 like any other conflict.

A mapping that no longer holds (a port reserved since, a port re-patched, a device booked up) is
refused with RuleConflict (409) naming what changed; a mapping that never matched the topology
(unknown node, wrong type, a port of another device) is refused with ApplicationError (400).
"""

from datetime import datetime

from django.db import IntegrityError, OperationalError, transaction

from core.exceptions import ApplicationError, RuleConflict
from core.services.audit import audit_log
from scheduler import booking_rules as rules
from scheduler.models import BookingGroup
from scheduler.services import locking
from scheduler.services.booking import booking_request, lab_zone
from scheduler.services.booking.units import DEADLOCK_DETECTED
from scheduler.topology.models import PortReservation
from scheduler.topology.spec import links_of, nodes_of
from scheduler.topology.world import world_load


def _shape(topology, mapping: dict) -> tuple[dict[str, int], list[tuple[str, str, int, int]]]:
    """Node → device and (a, b, port_a, port_b) per link, checked against the topology's shape (400)."""
    nodes, links = nodes_of(topology), links_of(topology)
    keys = [n.key for n in nodes]
    given = {}
    for entry in mapping.get("nodes", []):
        key, device = entry.get("key"), entry.get("device")
        if key not in keys:
            raise ApplicationError(f"The mapping names node {key!r}, which is not in the topology.")
        if key in given:
            raise ApplicationError(f"The mapping gives node {key!r} twice.")
        given[key] = device
    missing = [k for k in keys if k not in given]
    if missing:
        raise ApplicationError(f"The mapping gives no device for node {missing[0]!r}.")
    if len(set(given.values())) != len(given):
        raise ApplicationError("The mapping uses one device for two nodes; each node needs its own device.")
    realised = []
    remaining = [(link.a, link.b) for link in links]
    for entry in mapping.get("links", []):
        a, b, ports = entry.get("a"), entry.get("b"), entry.get("ports") or []
        if (a, b) not in remaining:
            raise ApplicationError(f"The mapping has a link {a}–{b} that the topology does not have (or has it twice).")
        remaining.remove((a, b))
        realised.append((a, b, ports[0], ports[1]))
    if remaining:
        raise ApplicationError(f"The mapping gives no ports for link {remaining[0][0]}–{remaining[0][1]}.")
    used = [p for _, _, pa, pb in realised for p in (pa, pb)]
    if len(used) != len(set(used)):
        raise ApplicationError("The mapping uses one port for two links; each link needs its own ports.")
    return given, realised


def _check_now(topology, world, given, realised, start, end, tz) -> None:
    """The mapping's ports and wiring as the lab is now (under the lock): 400 when wrong, 409 when stale."""
    nodes = {n.key: n for n in nodes_of(topology)}
    fixed_only = {(link.a, link.b): link.fixed_only for link in links_of(topology)}
    for key, device_id in given.items():
        node, device = nodes[key], world.devices.get(device_id)
        if device is None or (node.device and node.device != device_id) or (node.device_type and device.type_id != node.device_type):
            raise ApplicationError(f"Node {key}: device {device_id} does not fit the node (its type or pinned device).")
        if (node.site and device.site_id != node.site) or (node.tag and node.tag not in device.tags):
            raise ApplicationError(f"Node {key}: {device.name} is not on the node's site or lacks its tag.")
    conflicts = []
    for a, b, pa, pb in realised:
        for port_id, key in ((pa, a), (pb, b)):
            port = world.wiring.ports.get(port_id)
            if port is None or port.device_id != given[key]:
                raise ApplicationError(f"Link {a}–{b}: port {port_id} is not a port of the device of node {key}.")
            holder = world.port_holder(port_id, start, end)
            if holder is not None:
                conflicts.append({"item": f"{a}–{b}", "port": port_id, "port_name": port.name, "device": port.device_id,
                                  "reason": "port_reserved",
                                  "message": f"Port {port.name} (node {key}) is now reserved by {holder.who} "
                                             f"{rules.describe_window(holder.start, holder.end, tz)}."})
        connection = world.wiring.connection(pa, pb)
        names = f"{world.wiring.ports[pa].name} and {world.wiring.ports[pb].name}"
        if connection is None:
            conflicts.append({"item": f"{a}–{b}", "port": pa, "device": given[a], "reason": "wiring",
                              "message": f"Link {a}–{b}: ports {names} are no longer joined by a switch or a fixed link."})
        elif fixed_only.get((a, b)) and connection.kind != "link":
            raise ApplicationError(f"Link {a}–{b} must be a fixed link; ports {names} are joined only through the switch.")
    if conflicts:
        raise RuleConflict("The mapping is no longer valid: " + " ".join(c["message"] for c in conflicts)
                           + " Resolve the topology again.", conflicts=conflicts)


def topology_book(*, topology, requester, mapping: dict, start: datetime, end: datetime, collaborators=(),
                  message: str = "") -> BookingGroup:
    """Book the mapping for [start, end) as one session; `group.created_reservations` holds the new rows."""
    tz = lab_zone()
    given, realised = _shape(topology, mapping)
    with transaction.atomic():
        locking.devices_lock(given.values())
        world = world_load(nodes=nodes_of(topology), start=start, end=end, requester=requester,
                           extra_device_ids=tuple(given.values()))
        _check_now(topology, world, given, realised, start, end, tz)
        locking.race_window()
        keys = list(given)
        try:
            group = booking_request(requester=requester, items=[{"device": given[k], "start": start, "end": end} for k in keys],
                                    collaborators=collaborators, message=message or f"Topology: {topology.name}")
        except RuleConflict as exc:
            for conflict in exc.conflicts:
                if isinstance(conflict.get("item"), int):
                    conflict["node"] = keys[conflict["item"]]
            raise RuleConflict(f"The mapping cannot be booked as it is: {exc.message}", conflicts=exc.conflicts) from exc
        booking_of = {b.device_id: b for b in group.created_bookings}
        wiring = world.wiring
        rows = []
        for a, b, pa, pb in realised:
            connection = wiring.connection(pa, pb)
            via = {"switch_id": connection.via if connection.kind == "switch" else None,
                   "link_id": connection.via if connection.kind == "link" else None}
            for port, peer, side in ((pa, pb, "a"), (pb, pa, "b")):
                rows.append(PortReservation(group=group, booking=booking_of[wiring.ports[port].device_id], port_id=port,
                                            peer_id=peer, side=side, a_key=a, b_key=b, start=start, end=end, **via))
        try:
            with transaction.atomic():
                group.created_reservations = PortReservation.objects.bulk_create(rows)
        except (IntegrityError, OperationalError) as exc:  # PostgreSQL's exclusion constraint: a reservation raced past the lock
            if isinstance(exc, OperationalError) and getattr(exc.__cause__, "sqlstate", None) != DEADLOCK_DETECTED:
                raise
            raise RuleConflict("A port of this mapping was reserved at the same moment by another session; "
                               "resolve the topology again.", conflicts=[{"reason": "port_reserved"}]) from exc
        audit_log(actor=requester, action="scheduler.topology.booked", target=group,
                  data={"topology": topology.pk, "ports": [r.port_id for r in rows]})
    return group
