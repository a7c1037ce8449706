"""Random small labs and a brute-force oracle for the resolver's tests.

A lab has at most 8 devices of 3 types (capacity 1 or 2, sometimes unbookable), each with 0–3
ports on one of two switches (or on none), a few fixed links, random bookings (some the
requester's own), maintenance and port reservations over two days. The oracle tries every
injective assignment of nodes to devices and, for each, every choice of distinct ports for the
links, using its own reading of the rules (written from DESIGN §4 and §10, not from the resolver).
"""

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from inventory.connectivity import PortInfo, Wiring
from scheduler.topology.spec import LinkSpec, NodeSpec
from scheduler.topology.world import Busy, DeviceInfo, World

T0 = datetime(2026, 12, 2, 0, 0, tzinfo=UTC)
REQUESTER = 1
TYPES = (1, 2, 3)


def h(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


@dataclass
class Case:
    world: World
    nodes: list[NodeSpec]
    links: list[LinkSpec]
    fixed: dict[int, tuple[int, int]] = field(default_factory=dict)  # link id → (port, port)


def case_generate(rng: random.Random) -> Case:
    devices: dict[int, DeviceInfo] = {}
    wiring = Wiring()
    port_busy: dict[int, list[Busy]] = {}
    port_id = 100
    for device_id in range(1, rng.randint(2, 8) + 1):
        d = DeviceInfo(id=device_id, name=f"D{device_id}", type_id=rng.choice(TYPES), type_name="", bookable=rng.random() > 0.1,
                       status="available", capacity=rng.choice((1, 2)), site_id=None, tags=frozenset())
        d.type_name = f"T{d.type_id}"
        for _ in range(rng.randint(0, 3)):
            start = rng.randint(0, 40)
            user = REQUESTER if rng.random() < 0.15 else rng.randint(2, 4)
            d.bookings.append(Busy(h(start), h(start + rng.randint(1, 8)), f"u{user}", "booking", user, "pending"))
        if rng.random() < 0.15:
            start = rng.randint(0, 40)
            d.maintenance.append(Busy(h(start), h(start + rng.randint(1, 6)), "maintenance", "maintenance"))
        d.bookings.sort(key=lambda b: b.start)
        devices[device_id] = d
        for n in range(rng.randint(0, 3)):
            port_id += 1
            switch = rng.choice((900, 900, 901, None))
            info = PortInfo(port_id, f"d{device_id}_p{n}", device_id, switch, port_id if switch else None,
                            port_id + 500 if switch and rng.random() > 0.05 else None)
            wiring.ports[port_id] = info
            wiring.ports_of[device_id].append(info)
            if rng.random() < 0.15:
                start = rng.randint(0, 40)
                port_busy[port_id] = [Busy(h(start), h(start + rng.randint(1, 8)), "u9", "port", 9)]
    ports = list(wiring.ports)
    rng.shuffle(ports)
    fixed = {}
    for link_id in range(1, rng.randint(0, 2) + 1):
        if len(ports) < 2:
            break
        a, b = ports.pop(), ports.pop()
        wiring.link_of[a] = (link_id, b)
        wiring.link_of[b] = (link_id, a)
        fixed[link_id] = (a, b)
    lengths = [b.end - b.start for d in devices.values() for b in (*d.bookings, *d.maintenance)]
    lengths += [b.end - b.start for items in port_busy.values() for b in items]
    world = World(span_start=h(0), span_end=h(72), requester_id=REQUESTER, devices=devices, wiring=wiring,
                  port_busy=port_busy, switch_names={900: "S1", 901: "S2"}, switch_sites={900: None, 901: None},
                  max_len=max(lengths, default=timedelta(0)))
    nodes = []
    for index in range(rng.randint(1, min(5, len(devices)))):
        if rng.random() < 0.15:
            nodes.append(NodeSpec(f"n{index}", None, rng.choice(list(devices)), None, None, {}))
        else:
            nodes.append(NodeSpec(f"n{index}", rng.choice(TYPES), None, None, None, {}))
    keys = [n.key for n in nodes]
    links = []
    if len(keys) > 1:
        for _ in range(rng.randint(0, min(6, len(keys) + 1))):
            a, b = rng.sample(keys, 2)
            links.append(LinkSpec(a, b, rng.random() < 0.15, ""))
    return Case(world, nodes, links, fixed)


# --- the oracle's own reading of the rules ---------------------------------------------------


def _overlap(a0, a1, b0, b1) -> bool:
    return a0 < b1 and b0 < a1


def device_ok(case: Case, device_id: int, start: datetime, end: datetime) -> bool:
    d = case.world.devices[device_id]
    if not d.bookable or any(_overlap(m.start, m.end, start, end) for m in d.maintenance):
        return False
    mine = [b for b in d.bookings if _overlap(b.start, b.end, start, end)]
    if any(b.user_id == REQUESTER for b in mine):
        return False
    instants = {start} | {b.start for b in mine if b.start > start}
    return all(1 + sum(1 for b in mine if b.start <= t < b.end) <= d.capacity for t in instants)


def port_ok(case: Case, port_id: int, start: datetime, end: datetime) -> bool:
    return not any(_overlap(r.start, r.end, start, end) for r in case.world.port_busy.get(port_id, ()))


def joined(case: Case, pa: int, pb: int, fixed_only: bool) -> bool:
    w = case.world.wiring
    for a, b in case.fixed.values():
        if {a, b} == {pa, pb}:
            return True
    linked = {p for pair in case.fixed.values() for p in pair}
    if fixed_only or pa in linked or pb in linked:
        return False
    x, y = w.ports[pa], w.ports[pb]
    return (x.switch_id is not None and x.switch_id == y.switch_id and None not in (x.switch_in, x.switch_out, y.switch_in, y.switch_out))


def node_fits(case: Case, node: NodeSpec, device_id: int) -> bool:
    if node.device:
        return node.device == device_id
    return case.world.devices[device_id].type_id == node.device_type


def _links_realisable(case: Case, assignment: dict[str, int], start, end) -> bool:
    w = case.world.wiring
    free = {d: [p.id for p in w.ports_of.get(d, ()) if port_ok(case, p.id, start, end)] for d in set(assignment.values())}
    options = []
    for link in case.links:
        options.append([(pa, pb) for pa in free[assignment[link.a]] for pb in free[assignment[link.b]]
                        if joined(case, pa, pb, link.fixed_only)])

    def search(i: int, used: set[int]) -> bool:
        if i == len(options):
            return True
        return any(search(i + 1, used | {pa, pb}) for pa, pb in options[i] if pa not in used and pb not in used)

    return search(0, set())


def oracle_feasible(case: Case, start: datetime, end: datetime) -> bool:
    usable = [d for d in case.world.devices if device_ok(case, d, start, end)]
    for combo in itertools.permutations(usable, len(case.nodes)):
        assignment = {n.key: d for n, d in zip(case.nodes, combo, strict=True)}
        if all(node_fits(case, n, assignment[n.key]) for n in case.nodes) and _links_realisable(case, assignment, start, end):
            return True
    return False


def mapping_problems(case: Case, mapping, start: datetime, end: datetime) -> list[str]:
    """Independent re-validation of one mapping; empty when it is valid."""
    problems = []
    devices = mapping.devices
    if sorted(devices) != sorted(n.key for n in case.nodes):
        problems.append("not every node mapped")
    if len(set(devices.values())) != len(devices):
        problems.append("not injective")
    for node in case.nodes:
        d = devices.get(node.key)
        if d is None or not node_fits(case, node, d) or not device_ok(case, d, start, end):
            problems.append(f"node {node.key} on unusable device {d}")
    used = [p for r in mapping.links for p in r.ports]
    if len(used) != len(set(used)):
        problems.append("a port used twice")
    if len(mapping.links) != len(case.links):
        problems.append("links missing")
    w = case.world.wiring
    for r, link in zip(mapping.links, case.links, strict=False):
        pa, pb = r.ports
        if (r.a, r.b) != (link.a, link.b) or w.ports[pa].device_id != devices[r.a] or w.ports[pb].device_id != devices[r.b]:
            problems.append(f"link {r.a}-{r.b} ports on the wrong devices")
        if not (port_ok(case, pa, start, end) and port_ok(case, pb, start, end)) or not joined(case, pa, pb, link.fixed_only):
            problems.append(f"link {r.a}-{r.b} not realisable as given")
        if r.switch is not None and r.cross_connects != [[w.ports[pa].switch_in, w.ports[pb].switch_out],
                                                         [w.ports[pb].switch_in, w.ports[pa].switch_out]]:
            problems.append(f"link {r.a}-{r.b} wrong cross-connects")
    return problems
