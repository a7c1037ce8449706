"""Why no mapping exists: the binding constraint, in words a lab member can act on.

Checked in order, each naming what binds:
- `pinned_busy`: a pinned device cannot be booked in the window (maintenance, full, own booking...).
- `type_shortage`: more nodes of a type (with their site/tag filters) than usable devices, with who
  holds the others; also a shortage across types found by bipartite matching (networkx Hopcroft–Karp).
- `port_shortage`: a node needs more switch ports than any of its candidate devices has free.
- `no_fixed_link` / `no_connection`: a link has no realisation between any candidates of its ends.
- `combination`: each part fits alone; the named link cannot be realised together with the rest
  (found by re-solving without each link in turn).
- `timeout`: the solver ran out of time (never a guess).
"""

from datetime import datetime

import networkx as nx

from scheduler import booking_rules as rules
from scheduler.topology.candidates import NodeCandidates, degree
from scheduler.topology.spec import LinkSpec
from scheduler.topology.world import World

MAX_LISTED = 4
MAX_LINK_PROBES = 40


def _reason(code: str, message: str, node: str | None = None) -> dict:
    return {"code": code, "message": message, **({"node": node} if node is not None else {})}


def _window(start: datetime, end: datetime, tz) -> str:
    return rules.describe_window(start, end, tz)


def matching_size(cands: list[NodeCandidates]) -> int:
    """The most nodes that can take distinct devices (ports and links ignored)."""
    graph = nx.Graph()
    left = [("n", i) for i in range(len(cands))]
    graph.add_nodes_from(left, bipartite=0)
    for i, cand in enumerate(cands):
        for choice in cand.choices:
            graph.add_edge(("n", i), ("d", choice.device))
    matching = nx.bipartite.hopcroft_karp_matching(graph, top_nodes=left)
    return sum(1 for node in left if node in matching)


def explain(world: World, cands: list[NodeCandidates], links: list[LinkSpec], start: datetime, end: datetime, tz, *,
            unrealisable: list[int], probe) -> list[dict]:
    """The reasons no mapping exists. `probe(links)` re-solves with fewer links (True when feasible)."""
    window = _window(start, end, tz)
    reasons = []
    for cand in cands:
        node = cand.node
        if node.device and not cand.choices:
            code_message = cand.excluded.get(node.device)
            name = world.devices[node.device].name if node.device in world.devices else f"device {node.device}"
            detail = code_message[1] if code_message else "it does not match the node's site or tag filter."
            reasons.append(_reason("pinned_busy", f"Node {node.key} is pinned to {name}, which is not free {window}: {detail}",
                                   node.key))
    groups: dict[tuple, list[NodeCandidates]] = {}
    for cand in cands:
        if cand.node.device_type:
            groups.setdefault((cand.node.device_type, cand.node.site, cand.node.tag), []).append(cand)
    for (type_id, site, tag), members in groups.items():
        usable = {c.device for cand in members for c in cand.choices}
        pinned_here = {c.node.device for c in cands if c.node.device and c.node.device in usable}
        free = len(usable - pinned_here)
        if free < len(members):
            type_name = next((d.type_name for d in world.devices.values() if d.type_id == type_id), f"type {type_id}")
            held = []
            for _device, (_code, message) in sorted(members[0].excluded.items()):
                held.append(message.rstrip("."))
                if len(held) == MAX_LISTED:
                    break
            filters = "".join([" at the node's site" if site else "", " with the node's tag" if tag else ""])
            detail = f": {'; '.join(held)}" if held else ""
            keys = ", ".join(c.node.key for c in members)
            reasons.append(_reason(
                "type_shortage",
                f"Needs {len(members)} {type_name}{filters} (nodes {keys}); {free} {'is' if free == 1 else 'are'} free {window}{detail}.",
                members[0].node.key))
    if reasons:
        return reasons
    if matching_size(cands) < len(cands):
        return [_reason("type_shortage", "Not enough distinct devices for all nodes at once: some nodes compete for "
                                         f"the same few devices {window}; unpin a node or widen its filters.")]
    need = degree([link for link in links if not link.fixed_only])
    for cand in cands:
        wanted = need.get(cand.node.key, 0)
        if not wanted:
            continue
        best, best_free = None, -1
        for choice in cand.choices:
            free = sum(len(p) for p in world.free_switch_ports(choice.device, start, end).values())
            if free > best_free:
                best, best_free = choice.device, free
        if best_free < wanted:
            name = world.devices[best].name if best else "no device"
            reasons.append(_reason("port_shortage", f"Node {cand.node.key} needs {wanted} switch port{'s' if wanted > 1 else ''}; "
                                                    f"{name} has {best_free} free {window}.", cand.node.key))
    if reasons:
        return reasons
    for li in unrealisable:
        link = links[li]
        if link.fixed_only:
            reasons.append(_reason("no_fixed_link", f"Link {link.a}–{link.b} must be a fixed link, and no free fixed link "
                                                    f"joins a device for {link.a} to a device for {link.b} {window}.", link.a))
        else:
            reasons.append(_reason("no_connection", f"Link {link.a}–{link.b}: no switch or fixed link can join a device for "
                                                    f"{link.a} to a device for {link.b} {window}.", link.a))
    if reasons:
        return reasons
    if len(links) <= MAX_LINK_PROBES:
        for li, link in enumerate(links):
            if probe([other for j, other in enumerate(links) if j != li]):
                return [_reason("combination", f"Every node has free devices, but link {link.a}–{link.b} cannot get free "
                                               f"ports together with the rest of the topology {window} (the devices that could "
                                               "carry it run out of switch ports or fixed links).", link.a)]
    return [_reason("combination", f"No combination of free devices gives every link its own ports {window}.")]
