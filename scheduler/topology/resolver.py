"""Resolve a topology for a window: up to k distinct valid mappings, best first, or why there is none.

`topology_resolve` reads the world once (a constant number of queries), builds each node's
candidates, and hands the exact problem to the CP-SAT model in `solver`. The window must be one
the booking service would accept (slot grid, not in the past, within max duration and horizon).
"""

from datetime import datetime

from core import clock
from core.exceptions import ApplicationError
from scheduler import booking_rules as rules
from scheduler.models import BookingPolicy
from scheduler.services.booking import lab_zone, policy_limits
from scheduler.topology.candidates import node_candidates
from scheduler.topology.explain import explain, matching_size
from scheduler.topology.solver import Mapping, SolveResult, solve
from scheduler.topology.spec import LinkSpec, NodeSpec, links_of, nodes_of
from scheduler.topology.world import World, world_load

MAX_K = 10


def window_check(start: datetime, end: datetime, *, policy: BookingPolicy | None = None, now: datetime | None = None) -> None:
    """Refuse (400) a window the booking service would refuse for its time alone."""
    tz = lab_zone()
    policy = policy or BookingPolicy.load()
    problems = rules.window_problems(start, end, now=now or clock.now(), limits=policy_limits(policy), tz=tz)
    if problems:
        raise ApplicationError(" ".join(problems))


def mapping_as_dict(world: World, mapping: Mapping) -> dict:
    """A mapping in the API's shape (DESIGN §10)."""
    names = {d.id: d.name for d in world.devices.values()}
    ports = world.wiring.ports
    return {
        "score": mapping.score,
        "score_parts": mapping.score_parts,
        "nodes": [{"key": key, "device": device, "device_name": names.get(device, ""),
                   "alternatives": mapping.alternatives.get(key, []),
                   "alternative_names": [names.get(d, "") for d in mapping.alternatives.get(key, [])]}
                  for key, device in mapping.devices.items()],
        "links": [{"a": r.a, "b": r.b, "ports": list(r.ports), "port_names": [ports[p].name for p in r.ports],
                   "switch": r.switch, "switch_name": world.switch_names.get(r.switch) if r.switch else None,
                   "link": r.link, "cross_connects": r.cross_connects} for r in mapping.links],
    }


def resolve_in_world(world: World, nodes: list[NodeSpec], links: list[LinkSpec], start: datetime, end: datetime, *,
                     k: int, explain_failure: bool = True) -> tuple[list[Mapping], list[dict]]:
    """Mappings (best first) or reasons, for a window inside the world's span. No queries."""
    cands = node_candidates(world, nodes, links, start, end)
    if any(not c.choices for c in cands) or matching_size(cands) < len(cands):
        result = SolveResult([], "infeasible")  # not even distinct devices: no need to ask the solver
    else:
        result = solve(world, cands, links, start, end, k=k)
    if result.mappings:
        return result.mappings, []
    if result.status == "timeout":
        return [], [{"code": "timeout", "message": "The search ran out of time without an answer; simplify the topology "
                                                   "or pin some nodes, then try again."}]
    if not explain_failure:
        return [], [{"code": "infeasible", "message": "No valid mapping."}]

    def probe(fewer_links):
        return bool(solve(world, node_candidates(world, nodes, fewer_links, start, end), fewer_links, start, end, k=1).mappings)

    return [], explain(world, cands, links, start, end, lab_zone(), unrealisable=result.unrealisable_links, probe=probe)


def topology_resolve(*, topology, actor, start: datetime, end: datetime, k: int = 3) -> dict:
    """`{feasible, mappings, reasons}` for the topology in [start, end), for `actor` as the requester."""
    if not 1 <= k <= MAX_K:
        raise ApplicationError(f"k must be between 1 and {MAX_K}.")
    window_check(start, end)
    nodes, links = nodes_of(topology), links_of(topology)
    if not nodes:
        raise ApplicationError("The topology has no nodes; add at least one.")
    world = world_load(nodes=nodes, start=start, end=end, requester=actor)
    mappings, reasons = resolve_in_world(world, nodes, links, start, end, k=k)
    return {"feasible": bool(mappings), "mappings": [mapping_as_dict(world, m) for m in mappings], "reasons": reasons}
