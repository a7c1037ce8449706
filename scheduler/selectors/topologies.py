"""Reads of the topology pages: the saved-topologies list, and a mapping with one node overridden."""

from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from django.db.models import QuerySet

from core.exceptions import ApplicationError
from core.models import AuditEvent
from inventory.models import Device
from scheduler.topology.models import Topology
from scheduler.topology.resolver import topology_resolve


@dataclass(frozen=True)
class TopologyRow:
    topology: Topology
    node_count: int
    link_count: int
    last_booked: datetime | None


def topology_rows(*, queryset: QuerySet[Topology]) -> list[TopologyRow]:
    """One row per topology, newest change first, with its node and link counts (from the stored
    nodes and links) and when it was last booked: two queries whatever the length of the list."""
    topologies = list(queryset.select_related("owner").order_by("-updated_at", "-id"))
    last = topology_last_booked(topology_ids=[t.pk for t in topologies])
    return [TopologyRow(topology=t, node_count=len(t.nodes), link_count=len(t.links), last_booked=last.get(t.pk))
            for t in topologies]


def topology_mapping_override(*, topology: Topology, actor, start: datetime, end: datetime, devices: dict[str, int],
                              key: str, device: int) -> dict:
    """The composer's "use this device instead": the mapping `devices` (node key → device) with node
    `key` on `device`, checked as a whole by the resolver (every node pinned to its device, the ports
    chosen again), in the resolver's `{feasible, mappings, reasons}` shape. A typed node only takes a
    device of its type; a pinned node keeps its device."""
    nodes = {n["key"]: n for n in topology.nodes}
    if set(devices) != set(nodes):
        raise ApplicationError("The mapping does not match the topology's nodes; resolve again.")
    if key not in nodes:
        raise ApplicationError(f"The topology has no node {key!r}.")
    node = nodes[key]
    if node.get("device") and node["device"] != device:
        raise ApplicationError(f"Node {key} is pinned to one device; unpin it to choose another.")
    chosen = Device.objects.filter(pk=device).select_related("device_type").first()
    if chosen is None:
        raise ApplicationError(f"Device {device} does not exist.")
    if node.get("device_type") and chosen.device_type_id != node["device_type"]:
        raise ApplicationError(f"{chosen.name} is a {chosen.device_type.name}; node {key} needs another type.")
    pinned = [dict(n, device_type=None, device=device if n["key"] == key else devices[n["key"]]) for n in topology.nodes]
    return topology_resolve(topology=SimpleNamespace(nodes=pinned, links=topology.links), actor=actor, start=start, end=end, k=1)


PART_NAMES = {"window_fit": "window fit", "exclusive_use": "exclusive use", "port_margin": "port margin", "locality": "locality"}


def _compare(current: dict, other: dict) -> str:
    """Why `other` (a mapping) ranks above or below `current`, in their score parts."""
    delta = round(other["score"] - current["score"], 2)
    better, worse = [], []
    for part, value in other["score_parts"].items():
        now = current["score_parts"].get(part)
        if now is None or abs(value - now) < 0.005:
            continue
        text = f"{PART_NAMES.get(part, part.replace('_', ' '))} {value:.2g} vs {now:.2g}"
        (better if value > now else worse).append(text)
    head = f"same score {other['score']:.2f}" if delta == 0 else f"score {other['score']:.2f} ({delta:+.2f})"
    details = "; ".join(filter(None, [f"better {', '.join(better)}" if better else "", f"worse {', '.join(worse)}" if worse else ""]))
    return f"{head}: {details}" if details else f"{head}, no difference in the score parts"


def topology_alternatives_explain(*, topology: Topology, actor, start: datetime, end: datetime, devices: dict[str, int],
                                  key: str, alternatives: list[int]) -> list[dict]:
    """For node `key` of the mapping `devices`, each alternative device with the resolver's verdict on
    the whole mapping using it, and why it ranks above or below the current device (score parts)."""
    current = topology_mapping_override(topology=topology, actor=actor, start=start, end=end, devices=devices, key=key,
                                        device=devices.get(key))
    base = current["mappings"][0] if current["feasible"] else None
    result = []
    for device in alternatives[:5]:
        try:
            answer = topology_mapping_override(topology=topology, actor=actor, start=start, end=end, devices=devices,
                                               key=key, device=device)
        except ApplicationError as exc:
            result.append({"device": device, "feasible": False, "reason": exc.message})
            continue
        if not answer["feasible"]:
            reason = "; ".join(r["message"] for r in answer["reasons"]) or "the option would no longer be valid"
            result.append({"device": device, "feasible": False, "reason": f"does not fit: {reason}"})
            continue
        mapping = answer["mappings"][0]
        result.append({"device": device, "feasible": True, "score": mapping["score"],
                       "reason": _compare(base, mapping) if base else f"score {mapping['score']:.2f}"})
    return result


BOOKED_ACTION = "scheduler.topology.booked"


def topology_last_booked(*, topology_ids: list[int]) -> dict[int, datetime]:
    """When each topology was last booked, from the audit events its bookings leave. One query."""
    if not topology_ids:
        return {}
    rows = (AuditEvent.objects.filter(action=BOOKED_ACTION, data__topology__in=topology_ids)
            .values_list("data__topology", "created_at"))
    last: dict[int, datetime] = {}
    for topology_id, at in rows:
        if topology_id is not None and (int(topology_id) not in last or at > last[int(topology_id)]):
            last[int(topology_id)] = at
    return last


def topology_booked_from(*, group) -> Topology | None:
    """The topology a session was booked from, if it still exists."""
    event = (AuditEvent.objects.filter(action=BOOKED_ACTION, target_type="scheduler.bookinggroup", target_id=str(group.pk))
             .values_list("data__topology", flat=True).first())
    return Topology.objects.filter(pk=event).first() if event else None
