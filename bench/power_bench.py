"""Power control benchmark against simulated Raritan PDUs on 127.0.0.1.

1. Read all outlets of 2 PDUs × 16 outlets (the worker's poll: state, power, current of every outlet
   plus the PDUs' sensors, stored with a time): wall time and database queries.
2. One switch round trip through the API (POST /api/scheduler/power/outlets/{id}/: rules, lease,
   PDU command, state read back, audit): median and p95.
3. How far behind its target (booking start − POWER_LEAD_MINUTES) the worker's power-on lands, over
   50 confirmed bookings whose targets are spread one second apart, with the worker passing every
   --interval seconds as `run_worker` does (all periodic jobs, real clock): median and worst.

    DEBUG=true .venv/bin/python bench/power_bench.py [--interval 5] [--repeat 20]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
PASSWORD = "bench-pdu-password"


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between worker passes (default 5)")
    parser.add_argument("--repeat", type=int, default=20, help="repeats of the read and switch measurements")
    parser.add_argument("--bookings", type=int, default=50)
    args = parser.parse_args()

    os.environ.setdefault("DEBUG", "true")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='labsite-bench-')}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    os.environ["BENCH_PDU_PASSWORD"] = PASSWORD
    import django

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from core import clock, jobs
    from core.roles import LAB_MANAGERS, roles_ensure
    from core.tests.factories import UserFactory
    from inventory.models import Outlet, Pdu
    from inventory.pdu_simulator import PduSimulatorServer
    from inventory.services.power import pdu_readings_poll
    from inventory.tests.factories import DeviceFactory, OutletFactory, PduFactory
    from scheduler.tests.factories import BookingFactory, BookingGroupFactory

    call_command("migrate", verbosity=0)
    roles_ensure()
    from django.contrib.auth.models import Group

    manager = UserFactory(username=f"bench-manager-{time.time_ns()}")
    manager.groups.add(Group.objects.get(name=LAB_MANAGERS))
    settings.PDU_TIMEOUT = 5.0
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    def simulated(count):
        servers = [PduSimulatorServer(password=PASSWORD).start() for _ in range(count)]
        pdus = [PduFactory(host=s.host, port=s.port, scheme="http", password_env="BENCH_PDU_PASSWORD") for s in servers]
        return servers, pdus

    # 1. read every outlet of 2 × 16
    servers, pdus = simulated(2)
    for pdu in pdus:
        for n in range(1, 17):
            OutletFactory(pdu=pdu, number=n, device=DeviceFactory())
    read_ms, queries = [], []
    for _ in range(args.repeat):
        Pdu.objects.filter(pk__in=[p.pk for p in pdus]).update(read_at=None)
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            assert pdu_readings_poll() == 2
            read_ms.append((time.perf_counter() - t0) * 1000)
        queries.append(len(captured))
    assert Outlet.objects.filter(pdu__in=pdus, read_at__isnull=False).count() == 32

    # 2. one switch round trip through the API
    client = APIClient()
    client.force_authenticate(manager)
    outlet = Outlet.objects.filter(pdu=pdus[0]).order_by("number").first()
    switch_ms = []
    for i in range(args.repeat):
        action = "on" if i % 2 == 0 else "off"
        t0 = time.perf_counter()
        response = client.post(f"/api/scheduler/power/outlets/{outlet.pk}/", {"action": action}, format="json")
        switch_ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200 and response.data["state"] == action, response.data
    for server in servers:
        server.stop()
    Pdu.objects.filter(pk__in=[p.pk for p in pdus]).delete()

    # 3. power-on lateness over N bookings, a worker passing every --interval seconds
    count = args.bookings
    per_pdu = 16
    servers, pdus = simulated((count + per_pdu - 1) // per_pdu)
    lead = timedelta(minutes=settings.POWER_LEAD_MINUTES)
    first_target = clock.now() + timedelta(seconds=3)
    targets = {}
    owner = UserFactory(username=f"bench-owner-{time.time_ns()}")
    for k in range(count):
        server, pdu = servers[k // per_pdu], pdus[k // per_pdu]
        number = k % per_pdu + 1
        device = DeviceFactory()
        OutletFactory(pdu=pdu, number=number, device=device, mode="booking")
        start = first_target + timedelta(seconds=k) + lead
        BookingFactory(group=BookingGroupFactory(owner=owner), device=device, start=start, end=start + timedelta(hours=2),
                       status="confirmed")
        targets[(server.port, number)] = (start - lead).timestamp()
    deadline = max(targets.values()) + args.interval + 10
    passes = 0
    while time.time() < deadline:
        t0 = time.monotonic()
        jobs.jobs_run(now=clock.now())
        passes += 1
        landed = {(s.port, n) for s in servers for _, n, p in s.pdu.switch_times() if p.get("pstate") == 1}
        if len(landed) == count:
            break
        time.sleep(max(0.0, args.interval - (time.monotonic() - t0)))
    lateness = []
    for server in servers:
        for at, number, params in server.pdu.switch_times():
            if params.get("pstate") == 1 and (server.port, number) in targets:
                lateness.append(at - targets[(server.port, number)])
    for server in servers:
        server.stop()
    assert len(lateness) == count, f"only {len(lateness)} of {count} outlets were switched on"

    print(f"database: {connection.vendor}; simulated PDUs on 127.0.0.1 (HTTP, keep-alive); repeats {args.repeat}")
    print(f"read all outlets of 2 PDUs x 16: median {statistics.median(read_ms):.1f} ms, p95 {pct(read_ms, .95):.1f} ms; "
          f"{max(queries)} queries (min {min(queries)})")
    print(f"one switch round trip (API: rules, lease, command, read-back, audit): median {statistics.median(switch_ms):.1f} ms, "
          f"p95 {pct(switch_ms, .95):.1f} ms")
    print(f"power-on behind target (start - {settings.POWER_LEAD_MINUTES} min) over {count} bookings, worker every "
          f"{args.interval:g} s ({passes} passes): median {statistics.median(lateness):.2f} s, worst {max(lateness):.2f} s; "
          f"so the device is on {settings.POWER_LEAD_MINUTES * 60 - max(lateness):.0f} s or more before each start")


if __name__ == "__main__":
    main()
