"""Topology engine benchmark: resolve, earliest window and an infeasible request on a large synthetic lab.

Builds (deterministically, with bulk_create) a lab of 500 devices with 2,000 ports patched into two
switches (plus 40 fixed links) and 50,000 bookings over a year around today (six months back, six
ahead; no device above capacity), in its own database: a fresh SQLite file under /tmp by default,
or the (emptied) database in DATABASE_URL. Then it reports median and p95 over --runs calls, with
the SQL query count of each:

- resolve (k=3) of 5-, 12- and 30-node topologies, each run on another 4-hour window in the next weeks
- earliest window (k=1) of the 12-node topology for 3 days, over the 180-day horizon
- an infeasible 17-node request (11 ROADMs with a tag only 10 ROADMs have): must be explained, never mapped
- for comparison, the networkx Hopcroft–Karp matching alone on the 30-node candidates (no ports, no links)

    .venv/bin/python bench/topology_bench.py [--runs 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labsite_topo_bench .venv/bin/python bench/topology_bench.py

The PostgreSQL database must exist; the script migrates it and deletes every row in it first.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SQLITE = "/tmp/labsite-topology-bench.sqlite3"
SEED = 20261205
# type, devices, ports each  → 500 devices, 2,000 ports
PLAN = [("ROADM", 100, 8), ("TeraFlex", 100, 4), ("EDFA", 100, 2), ("Fiber", 100, 2), ("Cassini", 50, 4), ("OSA", 50, 4)]
BOOKINGS = 50_000


def configure(database_url: str | None) -> str:
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    if not database_url:
        for suffix in ("", "-wal", "-shm"):
            Path(DEFAULT_SQLITE + suffix).unlink(missing_ok=True)
        database_url = f"sqlite:///{DEFAULT_SQLITE}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    import django

    django.setup()
    return database_url


def build(now):
    from django.core.management import call_command
    from django.db import transaction

    from core.models import User
    from inventory.models import Device, DeviceType, Link, Port, Tag
    from scheduler.constants import ACTIVE_STATUSES
    from scheduler.models import Booking, BookingGroup, BookingPolicy

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(SEED)
    BookingPolicy.load()
    with transaction.atomic():
        users = User.objects.bulk_create([User(username=f"member{i:02d}", username_key=f"member{i:02d}") for i in range(40)])
        switch_type = DeviceType.objects.create(name="Switch", is_schedulable=False)
        switches = Device.objects.bulk_create([Device(name=f"Polatis {n}", device_type=switch_type) for n in (1, 2)])
        types = {name: DeviceType.objects.create(name=name, default_capacity=2, has_ports=True) for name, _, _ in PLAN}
        devices = Device.objects.bulk_create([Device(name=f"{name} {n}", device_type=types[name])
                                              for name, count, _ in PLAN for n in range(1, count + 1)])
        tag = Tag.objects.create(name="degree-9")
        roadms = [d for d in devices if d.device_type_id == types["ROADM"].pk]
        Device.tags.through.objects.bulk_create([Device.tags.through(device_id=d.pk, tag_id=tag.pk) for d in roadms[:10]])
        per_type = {name: n_ports for name, _, n_ports in PLAN}
        ports, number = [], {s.pk: 0 for s in switches}
        for device in devices:
            type_name = device.name.rsplit(" ", 1)[0]
            for p in range(per_type[type_name]):
                switch = switches[0] if (device.pk + p) % 4 else switches[1]
                number[switch.pk] += 1
                ports.append(Port(device=device, name=f"{device.name.lower().replace(' ', '_')}_p{p}", switch=switch,
                                  switch_in=number[switch.pk], switch_out=number[switch.pk] + 1000))
        ports = Port.objects.bulk_create(ports)
        by_device = {}
        for port in ports:
            by_device.setdefault(port.device_id, []).append(port)
        edfas = [d for d in devices if d.device_type_id == types["EDFA"].pk]
        links = []
        for roadm, edfa in zip(roadms[:40], edfas[:40], strict=True):  # ROADM line ↔ amplifier splices
            a, b = by_device[roadm.pk][-1], by_device[edfa.pk][0]
            links.append(Link(a=a, b=b, length_km=1))
            for port in (a, b):
                port.switch, port.switch_in, port.switch_out = None, None, None
        Port.objects.bulk_update([p for link in links for p in (link.a, link.b)], ["switch", "switch_in", "switch_out"])
        Link.objects.bulk_create(links)
        groups = BookingGroup.objects.bulk_create([BookingGroup(owner=rng.choice(users)) for _ in range(BOOKINGS)])
        rows = []
        per_device = BOOKINGS // len(devices)
        for device in devices:
            t = now - timedelta(days=182) + timedelta(hours=rng.randint(0, 72))
            for _ in range(per_device):
                t = t.replace(minute=0, second=0, microsecond=0)
                duration = timedelta(hours=rng.choice((2, 4, 8, 24, 48, 72)))
                status = rng.choice(("confirmed", "expired", "cancelled")) if t < now else rng.choice(("confirmed", "pending", "confirmed"))
                # One device's bookings never overlap here, so each active one holds the device's first unit.
                rows.append(Booking(group=groups[len(rows)], device=device, start=t, end=t + duration, status=status,
                                    unit=1 if status in ACTIVE_STATUSES else None))
                t += duration + timedelta(hours=rng.randint(0, 110))
        Booking.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics after the bulk load (autovacuum's job in production)
        cursor.execute("ANALYZE")
    return {"devices": len(devices) + 2, "ports": len(ports), "links": len(links), "bookings": len(rows), "users": users,
            "types": types, "tag": tag}


def topology(owner, types, counts: dict, tag=None, tagged_roadms=0):
    """A chain: TeraFlex – (ROADM – EDFA? – Fiber –)* ROADM – TeraFlex, with the requested node counts."""
    from scheduler.topology.models import Topology

    nodes, links = [], []
    for name, count in counts.items():
        for i in range(count):
            node = {"key": f"{name}{i}", "device_type": types[name].pk, "device": None, "site": None, "tag": None, "params": {}}
            if name == "ROADM" and i < tagged_roadms:
                node["tag"] = tag.pk
            nodes.append(node)
    for a, b in zip(nodes, nodes[1:], strict=False):
        links.append({"a": a["key"], "b": b["key"], "fixed_only": False, "notes": ""})
    return Topology.objects.create(owner=owner, name=f"{len(nodes)} nodes", nodes=nodes, links=links)


def timed(call, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, queries, last = [], [], None
    for i in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            last = call(i)
            times.append((time.perf_counter() - t0) * 1000)
        queries.append(len(ctx))
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return statistics.median(times), p95, sorted(set(queries)), last


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    url = configure(os.environ.get("DATABASE_URL"))
    from core import clock
    from scheduler.services.booking import lab_zone
    from scheduler.topology import candidates, explain
    from scheduler.topology.earliest import grid_ceil, topology_earliest
    from scheduler.topology.resolver import topology_resolve
    from scheduler.topology.spec import links_of, nodes_of
    from scheduler.topology.world import world_load

    now = clock.now()
    t0 = time.perf_counter()
    lab = build(now)
    print(f"database: {url.split('@')[-1]}; built {lab['devices']} devices, {lab['ports']} ports, {lab['links']} fixed links, "
          f"{lab['bookings']} bookings in {time.perf_counter() - t0:.1f} s")
    owner, types = lab["users"][0], lab["types"]
    shapes = {
        5: {"TeraFlex": 2, "ROADM": 2, "Fiber": 1},
        12: {"TeraFlex": 2, "ROADM": 4, "Fiber": 3, "EDFA": 2, "OSA": 1},
        30: {"TeraFlex": 4, "ROADM": 10, "Fiber": 8, "EDFA": 6, "OSA": 2},
    }
    base = grid_ceil(now + timedelta(days=3), 30, lab_zone())
    print(f"{'operation':<44}{'median ms':>11}{'p95 ms':>10}{'queries':>10}  result")
    for size, counts in shapes.items():
        topo = topology(owner, types, counts)

        def resolve(i, topo=topo):
            start = base + timedelta(hours=7 * i)
            return topology_resolve(topology=topo, actor=owner, start=start, end=start + timedelta(hours=4), k=3)

        median, p95, queries, answer = timed(resolve, args.runs)
        print(f"{f'resolve {size} nodes (k=3)':<44}{median:>11.1f}{p95:>10.1f}{str(queries):>10}  "
              f"feasible={answer['feasible']}, mappings={len(answer['mappings'])}")
    topo12 = topology(owner, types, shapes[12])
    median, p95, queries, answer = timed(
        lambda i: topology_earliest(topology=topo12, actor=owner, duration_minutes=3 * 24 * 60, k=1), max(3, args.runs // 4))
    print(f"{'earliest 12 nodes, 3 days, 180-day horizon':<44}{median:>11.1f}{p95:>10.1f}{str(queries):>10}  "
          f"start={answer['windows'][0]['start'] if answer['windows'] else None}")
    topo17 = topology(owner, types, {"TeraFlex": 2, "ROADM": 11, "EDFA": 2, "Fiber": 2}, tag=lab["tag"], tagged_roadms=11)

    def infeasible(i):
        start = base + timedelta(hours=7 * i)
        return topology_resolve(topology=topo17, actor=owner, start=start, end=start + timedelta(hours=4), k=3)

    median, p95, queries, answer = timed(infeasible, args.runs)
    assert not answer["feasible"] and not answer["mappings"]
    print(f"{'infeasible 17 nodes (one ROADM short)':<44}{median:>11.1f}{p95:>10.1f}{str(queries):>10}  "
          f"{answer['reasons'][0]['code']}: {answer['reasons'][0]['message'][:90]}…")
    topo30 = topology(owner, types, shapes[30])
    start = base
    world = world_load(nodes=nodes_of(topo30), start=start, end=start + timedelta(hours=4), requester=owner)
    cands = candidates.node_candidates(world, nodes_of(topo30), links_of(topo30), start, start + timedelta(hours=4))
    median, p95, _, size = timed(lambda i: explain.matching_size(cands), args.runs)
    print(f"{'(networkx matching only, 30 nodes)':<44}{median:>11.1f}{p95:>10.1f}{'-':>10}  matched {size} of {len(cands)}")


if __name__ == "__main__":
    main()
