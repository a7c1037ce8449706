"""The exact mapping of a topology onto devices and ports, as a CP-SAT model (OR-Tools).

Variables: x[n, d] (node n takes device d), for each link a choice among "a cross-connect on
switch S" (z[l, S]) and "fixed Link L in one orientation" (w[l, L, o]).
Constraints: every node takes exactly one device and every device serves at most one node
(injective); every link is realised exactly once; a cross-connect on S needs, at each end, a free
port of that end's device on S, and the links of one node that use S never outnumber the free
ports its device has on S (Σ z[l, S] + (M − free)·x[n, d] ≤ M); a fixed Link is used at most
once and only between the two devices it joins, with both its ports free. Candidates already
carry the per-device rules (type, bookable, maintenance, capacity, own overlap).
Objective: the sum of the chosen devices' costs (see `candidates`). Distinct mappings come from
re-solving with a no-good cut on the previous node assignments, so the k answers differ in at
least one device and come best first.

The solver runs single-threaded with a fixed seed, so the same input gives the same answer.
Ports are picked after solving, in label order, which the counting constraints make always
possible.
"""

from dataclasses import dataclass, field
from datetime import datetime

from ortools.sat.python import cp_model

from scheduler.topology.candidates import NodeCandidates, score_of
from scheduler.topology.spec import LinkSpec
from scheduler.topology.world import World

TIME_LIMIT_SECONDS = 10.0
MARGIN = 3  # extra devices per node in the shortlist, so that alternatives exist


@dataclass
class LinkRealisation:
    a: str
    b: str
    ports: tuple[int, int]
    switch: int | None
    link: int | None
    cross_connects: list[list[int]]


@dataclass
class Mapping:
    devices: dict[str, int]  # node key → device id
    links: list[LinkRealisation]
    score: float
    score_parts: dict[str, float]
    alternatives: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class SolveResult:
    mappings: list[Mapping]
    status: str  # "feasible" | "infeasible" | "timeout"
    unrealisable_links: list[int] = field(default_factory=list)  # links with no option at all


class _Model:
    def __init__(self, world: World, cands: list[NodeCandidates], links: list[LinkSpec], start: datetime, end: datetime):
        self.world, self.cands, self.links, self.start, self.end = world, cands, links, start, end
        self.m = cp_model.CpModel()
        self.index = {c.node.key: i for i, c in enumerate(cands)}
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.free: dict[int, dict[int, list]] = {}  # device → switch → free ports
        self.fixed: dict[int, list[tuple[int, int, int, int]]] = {}
        self.z: dict[tuple[int, int], cp_model.IntVar] = {}
        self.w: dict[tuple[int, int, int, int], cp_model.IntVar] = {}  # (link, L, device of a, device of b)
        self.unrealisable: list[int] = []
        self._build()

    def _build(self):
        m = self.m
        devices_used: dict[int, list] = {}
        for i, cand in enumerate(self.cands):
            for choice in cand.choices:
                var = m.NewBoolVar(f"x{i}_{choice.device}")
                self.x[i, choice.device] = var
                devices_used.setdefault(choice.device, []).append(var)
                if choice.device not in self.free:
                    self.free[choice.device] = self.world.free_switch_ports(choice.device, self.start, self.end)
                    self.fixed[choice.device] = self.world.free_fixed_links(choice.device, self.start, self.end)
            m.AddExactlyOne([self.x[i, c.device] for c in cand.choices])
        for variables in devices_used.values():
            if len(variables) > 1:
                m.AddAtMostOne(variables)
        by_fixed: dict[int, list] = {}
        incident: dict[tuple[int, int], list] = {}  # (node, switch) → z vars of links touching node
        for li, link in enumerate(self.links):
            u, v = self.index[link.a], self.index[link.b]
            options = []
            if not link.fixed_only:
                for switch in sorted(self._switches(u) & self._switches(v)):
                    z = m.NewBoolVar(f"z{li}_{switch}")
                    self.z[li, switch] = z
                    options.append(z)
                    for node in (u, v):
                        m.AddBoolOr([self.x[node, c.device] for c in self.cands[node].choices
                                     if switch in self.free[c.device]]).OnlyEnforceIf(z)
                        incident.setdefault((node, switch), []).append(z)
            v_devices = {c.device for c in self.cands[v].choices}
            for choice in self.cands[u].choices:
                for link_id, _own, _far, far_device in self.fixed[choice.device]:
                    if far_device in v_devices and far_device != choice.device:
                        w = m.NewBoolVar(f"w{li}_{link_id}")
                        self.w[li, link_id, choice.device, far_device] = w
                        m.AddImplication(w, self.x[u, choice.device])
                        m.AddImplication(w, self.x[v, far_device])
                        by_fixed.setdefault(link_id, []).append(w)
                        options.append(w)
            if not options:
                self.unrealisable.append(li)
                m.AddBoolOr([])  # no way to realise this link: infeasible
                continue
            m.AddExactlyOne(options)
        for variables in by_fixed.values():
            if len(variables) > 1:
                m.AddAtMostOne(variables)
        for (node, switch), zs in incident.items():
            most = len(zs)
            for choice in self.cands[node].choices:
                free = len(self.free[choice.device].get(switch, ()))
                if free < most:
                    m.Add(sum(zs) + (most - free) * self.x[node, choice.device] <= most)
        m.Minimize(sum(c.cost * self.x[i, c.device] for i, cand in enumerate(self.cands) for c in cand.choices))

    def _switches(self, node: int) -> set[int]:
        return {s for c in self.cands[node].choices for s in self.free[c.device]}

    def solve(self, k: int, time_limit: float) -> SolveResult:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        solver.parameters.linearization_level = 2
        mappings = []
        if self.unrealisable:
            return SolveResult([], "infeasible", self.unrealisable)
        for _ in range(k):
            solver.parameters.max_time_in_seconds = time_limit
            status = solver.Solve(self.m)
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if not mappings:
                    return SolveResult([], "timeout" if status == cp_model.UNKNOWN else "infeasible")
                break
            chosen = [(i, d) for (i, d), var in self.x.items() if solver.BooleanValue(var)]
            mappings.append(self._extract(solver, dict(chosen)))
            if not chosen:
                break
            self.m.Add(sum(self.x[key] for key in chosen) <= len(chosen) - 1)
        for mapping in mappings:
            mapping.alternatives = alternatives_for(self, mapping)
        return SolveResult(mappings, "feasible")

    def _extract(self, solver, assignment: dict[int, int]) -> Mapping:
        pointer: dict[tuple[int, int], int] = {}
        realised = []
        for li, link in enumerate(self.links):
            u, v = self.index[link.a], self.index[link.b]
            du, dv = assignment[u], assignment[v]
            switch = next((s for (l2, s), z in self.z.items() if l2 == li and solver.BooleanValue(z)), None)
            if switch is not None:
                pa = self.free[du][switch][pointer.get((du, switch), 0)]
                pb = self.free[dv][switch][pointer.get((dv, switch), 0)]
                pointer[du, switch] = pointer.get((du, switch), 0) + 1
                pointer[dv, switch] = pointer.get((dv, switch), 0) + 1
                realised.append(LinkRealisation(link.a, link.b, (pa.id, pb.id), switch, None,
                                                [[pa.switch_in, pb.switch_out], [pb.switch_in, pa.switch_out]]))
                continue
            link_id = next(lid for (l2, lid, a_dev, _b), w in self.w.items() if l2 == li and a_dev == du and solver.BooleanValue(w))
            own = next(own for lid, own, _far, _fd in self.fixed[du] if lid == link_id)
            far = next(far for lid, _own, far, _fd in self.fixed[du] if lid == link_id)
            realised.append(LinkRealisation(link.a, link.b, (own, far), None, link_id, []))
        parts = [next(c.parts for c in self.cands[i].choices if c.device == d) for i, d in sorted(assignment.items())]
        score, score_parts = score_of(parts)
        return Mapping({self.cands[i].node.key: d for i, d in sorted(assignment.items())}, realised, score, score_parts)


def alternatives_for(model: _Model, mapping: Mapping, limit: int = 3) -> dict[str, list[int]]:
    """For each node, up to `limit` other devices (cheapest first) that can replace its device while
    every other node keeps its device and every link keeps a realisation."""
    used = set(mapping.devices.values())
    used_ports = {p for r in mapping.links for p in r.ports}
    used_links = {r.link for r in mapping.links if r.link}
    result = {}
    for cand in model.cands:
        key = cand.node.key
        touching = [(r, r.a == key) for r in mapping.links if key in (r.a, r.b)]
        own_ports = {r.ports[0] if is_a else r.ports[1] for r, is_a in touching}
        own_links = {r.link for r, _ in touching if r.link}
        found = []
        for choice in sorted(cand.choices, key=lambda c: (c.cost, c.device)):
            if choice.device in used or len(found) >= limit:
                continue
            if _swap_ok(model, choice.device, touching, mapping, used_ports - own_ports, used_links - own_links):
                found.append(choice.device)
        result[key] = found
    return result


def _swap_ok(model: _Model, device: int, touching, mapping: Mapping, used_ports: set[int], used_links: set[int]) -> bool:
    free = {s: [p for p in ports if p.id not in used_ports] for s, ports in model.free[device].items()}
    fixed = [f for f in model.fixed[device] if f[0] not in used_links]
    for r, is_a in touching:
        other_key = r.b if is_a else r.a
        other_device = mapping.devices[other_key]
        spec = next(link for link in model.links if {link.a, link.b} == {r.a, r.b})
        options_link = [f for f in fixed if f[3] == other_device]
        if options_link:
            fixed.remove(options_link[0])
            continue
        switch = r.switch
        if spec.fixed_only or switch is None or not free.get(switch):
            return False
        free[switch].pop(0)
    return True


def _shortlist(cands: list[NodeCandidates], links: list[LinkSpec], k: int) -> list[NodeCandidates]:
    """Each node's cheapest devices: as many as nodes share its pool, plus k + MARGIN. Nodes with a
    fixed-only link keep every device (a fixed link may exist on one expensive device only)."""
    fixed_nodes = {end for link in links if link.fixed_only for end in (link.a, link.b)}
    sharing: dict[tuple, int] = {}
    for cand in cands:
        sharing[tuple(c.device for c in cand.choices)] = sharing.get(tuple(c.device for c in cand.choices), 0) + 1
    short = []
    for cand in cands:
        keep = sharing[tuple(c.device for c in cand.choices)] + k + MARGIN
        if cand.node.key in fixed_nodes or len(cand.choices) <= keep:
            short.append(cand)
            continue
        best = sorted(cand.choices, key=lambda c: (c.cost, c.device))[:keep]
        short.append(NodeCandidates(cand.node, sorted(best, key=lambda c: c.device), cand.excluded))
    return short


def solve(world: World, cands: list[NodeCandidates], links: list[LinkSpec], start: datetime, end: datetime, *,
          k: int = 3, time_limit: float = TIME_LIMIT_SECONDS) -> SolveResult:
    """Up to k mappings, best first. The search first runs on each node's shortlist of cheapest
    devices; when that gives fewer than k mappings it runs again on every candidate, so a
    mapping is found whenever one exists (exact feasibility). The ranking is exact within the
    shortlist; a cheaper mapping that needs a device outside every shortlist is possible only
    when ports or fixed links force it, and is then found by the second search when the first
    finds too few."""
    if any(not c.choices for c in cands):
        return SolveResult([], "infeasible")
    short = _shortlist(cands, links, k)
    if any(len(s.choices) < len(c.choices) for s, c in zip(short, cands, strict=True)):
        result = _Model(world, short, links, start, end).solve(k, time_limit)
        if len(result.mappings) == k:
            return result
    return _Model(world, cands, links, start, end).solve(k, time_limit)
