"""Which devices each node may take in a window, and what each choice costs (the score parts).

Score parts, each between 0 and 1 (1 is best), averaged over the nodes of a mapping:
- `window_fit` (weight 0.4): the window fits snugly between the device's other bookings, so the
  long free stretches of other devices stay whole: 1 − (free hours left just before and after the
  window, each capped at a week) / (2 weeks).
- `exclusive_use` (weight 0.3): 1 when nobody else holds the device during the window; 0 when the
  request would share it within capacity (the booking then becomes `conflicting`).
- `port_margin` (weight 0.15): leaves port-rich devices for topologies that need many ports:
  1 − (free switch ports the node does not need) / (free switch ports of the device), 1 for a
  snug fit, 0 when the device has fewer free switch ports than the node has links (it can then
  serve only through fixed links).
- `locality` (weight 0.15): 1 when the device is on the site of the switch it is patched into,
  0.5 when either site is unknown, 0 otherwise.
The solver minimises the sum over nodes of round(1000 · (1 − weighted parts)), so the reported
score is exactly what was optimised. Ties are broken by device id (lower first).
"""

from dataclasses import dataclass
from datetime import datetime

from scheduler.topology.spec import LinkSpec, NodeSpec
from scheduler.topology.world import World

WEIGHTS = {"window_fit": 0.4, "exclusive_use": 0.3, "port_margin": 0.15, "locality": 0.15}
SCALE = 1000


@dataclass(frozen=True)
class Choice:
    """Device `device` for one node, with its score parts and integer cost."""

    device: int
    parts: dict[str, float]
    cost: int


@dataclass
class NodeCandidates:
    node: NodeSpec
    choices: list[Choice]  # by device id
    excluded: dict[int, tuple[str, str]]  # device id → (code, message), the type's devices that cannot be used


def degree(links: list[LinkSpec]) -> dict[str, int]:
    result: dict[str, int] = {}
    for link in links:
        result[link.a] = result.get(link.a, 0) + 1
        result[link.b] = result.get(link.b, 0) + 1
    return result


def _parts(world: World, device_id: int, need: int, start: datetime, end: datetime, switch_sites: dict[int, int | None]) -> dict[str, float]:
    before, after = world.gaps_around(device_id, start, end)
    window_fit = 1 - (before + after) / (2 * 24 * 7.0)
    exclusive = 0.0 if world.shared_with(device_id, start, end) else 1.0
    free = sum(len(p) for p in world.free_switch_ports(device_id, start, end).values())
    margin = 0.0 if free < need else (1.0 if free == need else 1 - (free - need) / free)
    device_site = world.devices[device_id].site_id
    sites = {switch_sites.get(s) for s in world.wiring.switch_ports(device_id)}
    unknown = not sites or device_site is None or None in sites
    locality = 0.5 if unknown else (1.0 if device_site in sites else 0.0)
    return {"window_fit": round(window_fit, 4), "exclusive_use": exclusive, "port_margin": round(margin, 4),
            "locality": locality}


def cost_of(parts: dict[str, float]) -> int:
    return round(SCALE * (1 - sum(WEIGHTS[k] * v for k, v in parts.items())))


def score_of(parts_per_node: list[dict[str, float]]) -> tuple[float, dict[str, float]]:
    if not parts_per_node:
        return 1.0, dict.fromkeys(WEIGHTS, 1.0)
    mean = {k: round(sum(p[k] for p in parts_per_node) / len(parts_per_node), 4) for k in WEIGHTS}
    return round(sum(WEIGHTS[k] * mean[k] for k in WEIGHTS), 4), mean


def node_candidates(world: World, nodes: list[NodeSpec], links: list[LinkSpec], start: datetime, end: datetime, *,
                    quick: bool = False) -> list[NodeCandidates]:
    """For each node, the devices it may take in [start, end): right type (or the pinned device),
    site and tag filters, and bookable by the requester for the whole window. `quick` skips the
    score parts (every cost 0): enough to know whether candidates exist."""
    need = degree(links)
    by_type: dict[int, list[int]] = {}
    for d in world.devices.values():
        by_type.setdefault(d.type_id, []).append(d.id)
    result = []
    problems: dict[int, tuple[str, str] | None] = {}
    parts_of: dict[tuple[int, int], dict[str, float]] = {}
    for node in nodes:
        pool = [node.device] if node.device else by_type.get(node.device_type, [])
        choices, excluded = [], {}
        for device_id in sorted(pool):
            d = world.devices.get(device_id)
            if d is None:
                excluded[device_id] = ("unavailable", f"Device {device_id} does not exist.")
                continue
            if node.site and d.site_id != node.site:
                continue
            if node.tag and node.tag not in d.tags:
                continue
            if device_id not in problems:
                problems[device_id] = world.device_problem(device_id, start, end)
            problem = problems[device_id]
            if problem:
                excluded[device_id] = problem
                continue
            if quick:
                choices.append(Choice(device_id, {}, 0))
                continue
            key = (device_id, need.get(node.key, 0))
            if key not in parts_of:
                parts_of[key] = _parts(world, device_id, key[1], start, end, world.switch_sites)
            parts = parts_of[key]
            choices.append(Choice(device_id, parts, cost_of(parts)))
        result.append(NodeCandidates(node, choices, excluded))
    return result
