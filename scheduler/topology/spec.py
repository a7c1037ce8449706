"""A topology's nodes and links: checking them, and making them from a patch list or a past session.

Every write of a topology goes through `topology_spec_clean`, which answers bad input with a 400
that names the node or link (`TopologyInvalid`, with `errors: [{node | link, message}]`).
"""

from dataclasses import dataclass
from typing import Any

from django.db.models.functions import Lower

from core.exceptions import ApplicationError
from inventory.models import Device, DeviceType, Link, Port, Site, Tag
from scheduler.patchlist import PatchListError, patch_list_parse
from scheduler.topology.models import MAX_LINKS, MAX_NODES

KEY_MAX = 50


class TopologyInvalid(ApplicationError):
    """The nodes or links are not a valid topology; `errors` names each bad node or link."""

    def __init__(self, errors: list[dict]):
        first = errors[0]["message"]
        more = f" ({len(errors) - 1} more problem{'s' if len(errors) > 2 else ''}.)" if len(errors) > 1 else ""
        super().__init__(f"{first}{more}", extra={"errors": errors})


@dataclass(frozen=True)
class NodeSpec:
    key: str
    device_type: int | None
    device: int | None
    site: int | None
    tag: int | None
    params: dict


@dataclass(frozen=True)
class LinkSpec:
    a: str
    b: str
    fixed_only: bool
    notes: str


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def _ids(nodes: list[dict], field: str) -> list[int]:
    """The well-formed ids the nodes give in `field` (the rest are reported per node, never queried)."""
    return [node[field] for node in nodes if _is_id(node.get(field))]


def _id_or_none(value, what: str, where: str, errors: list, error_key: dict) -> int | None:
    if value in (None, ""):
        return None
    if not _is_id(value):
        errors.append({**error_key, "message": f"{where}: {what} must be an id (a whole number)."})
        return None
    return value


def topology_spec_clean(*, nodes: Any, links: Any) -> tuple[list[dict], list[dict]]:
    """Normalised `nodes` and `links` (as stored), or TopologyInvalid naming every bad node or link.

    A node's device type may be given by id or by name; it is stored as an id. Four queries at most.
    """
    errors: list[dict] = []
    if not isinstance(nodes, list) or not all(isinstance(n, dict) for n in nodes):
        raise TopologyInvalid([{"message": "nodes must be a list of objects like {\"key\": \"A\", \"device_type\": 3}."}])
    if not isinstance(links, list) or not all(isinstance(link, dict) for link in links):
        raise TopologyInvalid([{"message": "links must be a list of objects like {\"a\": \"A\", \"b\": \"B\"}."}])
    if len(nodes) > MAX_NODES:
        raise TopologyInvalid([{"message": f"A topology has at most {MAX_NODES} nodes; this one has {len(nodes)}."}])
    if len(links) > MAX_LINKS:
        raise TopologyInvalid([{"message": f"A topology has at most {MAX_LINKS} links; this one has {len(links)}."}])

    types = list(DeviceType.objects.all())  # a short catalogue: one query, matched by id or name
    types_by_id = {t.pk: t for t in types}
    types_by_name = {t.name.lower(): t for t in types}
    devices = {d.pk: d for d in Device.objects.select_related("device_type").filter(pk__in=_ids(nodes, "device"))}
    sites = set(Site.objects.filter(pk__in=_ids(nodes, "site")).values_list("pk", flat=True))
    tags = set(Tag.objects.filter(pk__in=_ids(nodes, "tag")).values_list("pk", flat=True))

    clean_nodes, keys = [], set()
    for index, node in enumerate(nodes):
        key = node.get("key")
        where = f"Node {key!r}" if isinstance(key, str) and key.strip() else f"Node {index + 1}"
        ref = {"node": key if isinstance(key, str) else index}
        if not isinstance(key, str) or not key.strip() or len(key.strip()) > KEY_MAX:
            errors.append({**ref, "message": f"{where}: every node needs a key of 1 to {KEY_MAX} characters (e.g. \"A\" or \"roadm1\")."})
            continue
        key = key.strip()
        if key in keys:
            errors.append({**ref, "message": f"{where}: the key is used twice; keys are unique within a topology."})
            continue
        keys.add(key)
        raw_type, raw_device = node.get("device_type"), node.get("device")
        type_id = device_id = None
        if (raw_type in (None, "")) == (raw_device in (None, "")):
            errors.append({**ref, "message": f"{where}: give either a device type or a pinned device, not both or neither."})
            continue
        if raw_type not in (None, ""):
            found = types_by_name.get(raw_type.strip().lower()) if isinstance(raw_type, str) else (
                types_by_id.get(raw_type) if isinstance(raw_type, int) and not isinstance(raw_type, bool) else None)
            if found is None:
                errors.append({**ref, "message": f"{where}: unknown device type {raw_type!r}; use a type of the lab's inventory."})
                continue
            if not found.is_schedulable:
                errors.append({**ref, "message": f"{where}: devices of type {found.name} cannot be booked; pick a bookable type."})
                continue
            type_id = found.pk
        else:
            device_id = _id_or_none(raw_device, "the pinned device", where, errors, ref)
            if device_id is None:
                continue
            if device_id not in devices:
                errors.append({**ref, "message": f"{where}: the pinned device {device_id} does not exist."})
                continue
            if not devices[device_id].device_type.is_schedulable:
                errors.append({**ref, "message": f"{where}: {devices[device_id].name} is a "
                                                 f"{devices[device_id].device_type.name}, which cannot be booked."})
                continue
        site = _id_or_none(node.get("site"), "site", where, errors, ref)
        tag = _id_or_none(node.get("tag"), "tag", where, errors, ref)
        if site is not None and site not in sites:
            errors.append({**ref, "message": f"{where}: site {site} does not exist."})
        if tag is not None and tag not in tags:
            errors.append({**ref, "message": f"{where}: tag {tag} does not exist."})
        params = node.get("params")
        params = {} if params is None else params
        if not isinstance(params, dict):
            errors.append({**ref, "message": f"{where}: params must be an object of free-form values."})
            params = {}
        clean_nodes.append({"key": key, "device_type": type_id, "device": device_id, "site": site, "tag": tag,
                            "params": params})

    clean_links = []
    for index, link in enumerate(links):
        a, b = link.get("a"), link.get("b")
        ref = {"link": index}
        where = f"Link {index + 1} ({a}–{b})"
        bad = [end for end in (a, b) if not isinstance(end, str) or end.strip() not in keys]
        if bad:
            errors.append({**ref, "message": f"{where}: unknown node key {bad[0]!r}; a link joins two nodes of the topology."})
            continue
        a, b = a.strip(), b.strip()
        if a == b:
            errors.append({**ref, "message": f"{where}: a link joins two different nodes, not node {a!r} to itself."})
            continue
        fixed_only = link.get("fixed_only", False)
        notes = link.get("notes", "") or ""
        if not isinstance(fixed_only, bool) or not isinstance(notes, str) or len(notes) > 500:
            errors.append({**ref, "message": f"{where}: fixed_only must be true or false and notes a text of at most 500 characters."})
            continue
        clean_links.append({"a": a, "b": b, "fixed_only": fixed_only, "notes": notes})
    if errors:
        raise TopologyInvalid(errors)
    return clean_nodes, clean_links


def nodes_of(topology) -> list[NodeSpec]:
    return [NodeSpec(n["key"], n.get("device_type"), n.get("device"), n.get("site"), n.get("tag"), n.get("params") or {})
            for n in topology.nodes]


def links_of(topology) -> list[LinkSpec]:
    return [LinkSpec(link["a"], link["b"], bool(link.get("fixed_only")), link.get("notes", "")) for link in topology.links]


def _node_for(device: Device, pin: bool) -> dict:
    if pin:
        return {"key": device.name, "device_type": None, "device": device.pk, "site": None, "tag": None, "params": {}}
    return {"key": device.name, "device_type": device.device_type_id, "device": None, "site": None, "tag": None,
            "params": {"was": device.name}}


def spec_from_patch_list(*, text: str, pin: bool = True) -> tuple[list[dict], list[dict]]:
    """Nodes (one per device) and links (one per patched pair) of a patch list in any format the
    patch-list page accepts. A pair of ports of one device is skipped (it is a loopback, not a link).
    A pair that is a fixed Link becomes a `fixed_only` link."""
    try:
        pairs = patch_list_parse(text)
    except PatchListError as exc:
        raise TopologyInvalid([{"message": str(exc)}]) from exc
    labels = {label.lower() for pair in pairs for label in pair}
    ports = {p.lname: p for p in Port.objects.annotate(lname=Lower("name")).filter(lname__in=labels)
             .select_related("device__device_type")}
    unknown = sorted({label for pair in pairs for label in pair if label.lower() not in ports})
    if unknown:
        raise TopologyInvalid([{"message": f"Unknown port label {label!r}; check the patch list against the inventory's ports."}
                               for label in unknown])
    fixed = {frozenset(pair) for pair in Link.objects.filter(a__in=[p.pk for p in ports.values()]).values_list("a_id", "b_id")}
    nodes: dict[int, dict] = {}
    links = []
    for a_label, b_label in pairs:
        pa, pb = ports[a_label.lower()], ports[b_label.lower()]
        for port in (pa, pb):
            nodes.setdefault(port.device_id, _node_for(port.device, pin))
        if pa.device_id == pb.device_id:
            continue
        links.append({"a": pa.device.name, "b": pb.device.name, "fixed_only": frozenset((pa.pk, pb.pk)) in fixed,
                      "notes": f"{pa.name} – {pb.name}"})
    return list(nodes.values()), links


def spec_from_group(*, group, pin: bool = True) -> tuple[list[dict], list[dict]]:
    """Nodes (one per device booked) and links (from its port reservations, if it was booked from a topology)."""
    from scheduler.topology.models import PortReservation

    devices = {}
    for booking in group.bookings.select_related("device__device_type").order_by("device__name", "id"):
        devices.setdefault(booking.device_id, booking.device)
    nodes = [_node_for(device, pin) for device in devices.values()]
    links = []
    for res in PortReservation.objects.filter(group=group, side="a").select_related("port__device", "peer__device").order_by("id"):
        if res.port.device_id in devices and res.peer.device_id in devices and res.port.device_id != res.peer.device_id:
            links.append({"a": res.port.device.name, "b": res.peer.device.name, "fixed_only": res.link_id is not None,
                          "notes": f"{res.port.name} – {res.peer.name}"})
    return nodes, links
