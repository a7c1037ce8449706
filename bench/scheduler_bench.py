"""Scheduler benchmark: read endpoints on a two-year lab, and booking POST throughput.

Builds (deterministically, with bulk_create) a lab of 200 devices and 30,000 bookings over two years
around today, with a member who holds about 500 bookings, in its own database: a fresh SQLite file
under /tmp by default, or the (emptied) database in DATABASE_URL. Then it reports median and p95
over --runs requests, with the SQL query count of each:

- GET /api/scheduler/schedule/?start=<this Monday>&days=7  (all devices)
- the member's own bookings: GET /api/scheduler/bookings/?mine=true when the bookings API exists,
  otherwise the equivalent query (owner or collaborator, newest first, one page of 50) timed directly
- GET /api/scheduler/availability/ for 10 devices over a week
- GET /api/scheduler/availability/next-slot/ for 5 devices and 4 hours

and, when POST /api/scheduler/bookings/ exists, single-booking POST throughput:

- sequentially in process (Django test client, signed-in member), with the SQL queries per POST;
- sequentially over HTTP against a real server: gunicorn on 127.0.0.1, 1 worker x 4 threads,
  DEBUG off, `Authorization: Token …` (the way instrument scripts call it), with median and p95 and
  the server's CPU time per POST; --http-runs runs with `requests` (what the lab's scripts use), then
  as many with the standard library's http.client (a client that costs little: the rate the server
  itself sustains);
- with 8 concurrent clients on one device against gunicorn (4 workers x 2 threads): races for the
  last unit of capacity, capacity violations, 5xx answers.

Every POST runs every rule, writes its audit event and its notification (outbox row).

    .venv/bin/python bench/scheduler_bench.py [--runs 30] [--posts 300] [--http-posts 600] [--http-runs 3] [--skip-reads] [--keep]
    .venv/bin/python bench/scheduler_bench.py --skip-reads --profile 300   # where a POST's time goes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labsite_bench .venv/bin/python bench/scheduler_bench.py

The PostgreSQL database must exist; the script migrates it and deletes every row in it first. The
SQLite file (/tmp/labsite-scheduler-bench.sqlite3) is deleted at the end unless --keep is given (to
look at the data afterwards, e.g. with `sqlite3`); PostgreSQL rows stay until the next run.
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_SQLITE = "/tmp/labsite-scheduler-bench.sqlite3"
DEVICES = 200
BOOKINGS = 30_000
MEMBERS = 40
HEAVY_BOOKINGS = 500
SEED = 20260401

# name, capacity, requires approval, how many
DEVICE_TYPES = [
    ("ROADM", 2, True, 40),
    ("TeraFlex", 2, True, 30),
    ("Cassini", 2, True, 20),
    ("EDFA", 2, False, 30),
    ("OSA", 1, True, 15),
    ("Fibre spool", 2, False, 35),
    ("Switch", 2, True, 15),
    ("Server", 1, False, 15),
]
DURATIONS_H = [(2, 20), (4, 25), (8, 15), (24, 20), (48, 10), (72, 6), (168, 4)]  # hours, weight
PAST_STATUSES = [("confirmed", 72), ("cancelled", 10), ("rejected", 6), ("expired", 12)]
FUTURE_STATUSES = [("confirmed", 55), ("pending", 25), ("conflicting", 8), ("cancelled", 10), ("rejected", 2)]


def configure(database_url: str | None) -> str:
    # Production-like by default: DEBUG off (no query log kept in memory), a throwaway key.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")
    if not database_url:
        Path(DEFAULT_SQLITE).unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):
            Path(DEFAULT_SQLITE + suffix).unlink(missing_ok=True)
        database_url = f"sqlite:///{DEFAULT_SQLITE}"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 409 answers are expected; 5xx still show
    return database_url


def weighted(rng: random.Random, choices):
    values, weights = zip(*choices, strict=True)
    return rng.choices(values, weights)[0]


def build_lab(now: datetime) -> dict:
    """Users, 200 devices with ports, 30,000 bookings (no device above capacity), maintenance windows."""
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from core.models import User
    from core.roles import roles_ensure
    from inventory.models import Device, DeviceType, Port, Site
    from scheduler.constants import ACTIVE_STATUSES
    from scheduler.models import Booking, BookingGroup, BookingPolicy, MaintenanceWindow

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    rng = random.Random(SEED)
    roles_ensure()
    BookingPolicy.load()
    password = make_password("correct horse battery staple")
    with transaction.atomic():
        # bulk_create skips User.save(), which fills the username key.
        users = User.objects.bulk_create(
            [User(username=f"member{i:02d}", username_key=f"member{i:02d}", email=f"member{i:02d}@lab.example", password=password) for i in range(MEMBERS)]
            + [User(username="heavy", username_key="heavy", email="heavy@lab.example", password=password)]
            + [User(username=f"racer{i}", username_key=f"racer{i}", email=f"racer{i}@lab.example", password=password) for i in range(8)]
            + [User(username="boss", username_key="boss", email="boss@lab.example", password=password, is_staff=True, is_superuser=True)]
        )
        members, heavy, racers = users[:MEMBERS], users[MEMBERS], users[MEMBERS + 1 : MEMBERS + 9]
        sites = Site.objects.bulk_create([Site(name=f"Lab {c}") for c in "ABC"])
        types = DeviceType.objects.bulk_create(
            [DeviceType(name=name, default_capacity=cap, requires_approval=approval, has_ports=True)
             for name, cap, approval, _ in DEVICE_TYPES]
        )
        devices = []
        for device_type, (name, _, _, count) in zip(types, DEVICE_TYPES, strict=True):
            devices += [
                Device(name=f"{name.lower().replace(' ', '-')}-{i + 1}", device_type=device_type, site=sites[i % 3],
                       mgmt_ip=f"10.{len(devices) // 250}.{len(devices) % 250}.{i + 1}", status="available")
                for i in range(count)
            ]
        devices = Device.objects.bulk_create(devices)
        Port.objects.bulk_create(
            Port(device=d, name=f"{d.name.replace('-', '_')}_p{p}", switch_in=2 * (n * 2 + p), switch_out=2 * (n * 2 + p) + 1)
            for n, d in enumerate(devices) for p in (1, 2)
        )

        # Per device, a chain of bookings with gaps: two years around now, depth at most 1.
        span_start = now - timedelta(days=548)
        span = timedelta(days=730)
        per_device = BOOKINGS // DEVICES
        mean_duration_h = sum(h * w for h, w in DURATIONS_H) / sum(w for _, w in DURATIONS_H)
        mean_gap_h = span.total_seconds() / 3600 / per_device - mean_duration_h
        rows = []
        for device in devices:
            cursor = span_start + timedelta(hours=rng.randrange(0, 48))
            for _ in range(per_device):
                cursor += timedelta(hours=rng.randrange(0, int(2 * mean_gap_h)))
                hours = weighted(rng, DURATIONS_H)
                start, end = cursor, cursor + timedelta(hours=hours)
                cursor = end
                status = weighted(rng, PAST_STATUSES if start < now else FUTURE_STATUSES)
                owner = heavy if rng.random() < HEAVY_BOOKINGS / BOOKINGS else members[rng.randrange(MEMBERS)]
                rows.append((device, start, end, status, owner))
        groups = BookingGroup.objects.bulk_create([BookingGroup(owner=owner) for *_, owner in rows], batch_size=5000)
        # Depth at most 1 per device: every active booking holds unit 1 (see scheduler/services/booking/units.py).
        Booking.objects.bulk_create(
            [Booking(group=g, device=d, start=s, end=e, status=st, unit=1 if st in ACTIVE_STATUSES else None)
             for g, (d, s, e, st, _) in zip(groups, rows, strict=True)],
            batch_size=5000,
        )
        # The heavy member also collaborates on some sessions of others.
        through = BookingGroup.collaborators.through
        through.objects.bulk_create(
            [through(bookinggroup_id=g.pk, user_id=heavy.pk) for g in rng.sample(groups, 60) if g.owner_id != heavy.pk]
        )
        MaintenanceWindow.objects.bulk_create(
            MaintenanceWindow(device=devices[rng.randrange(DEVICES)], start=now + timedelta(days=d), end=now + timedelta(days=d, hours=6),
                              reason="bench")
            for d in range(-300, 150, 5)
        )
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")  # autovacuum would have gathered these statistics on a live database
        else:
            # Fold the bulk load out of the write-ahead log now, or the first timed commits pay for it.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    heavy_count = Booking.objects.filter(group__owner=heavy).count()
    return {"heavy": heavy, "racers": racers, "devices": devices, "heavy_bookings": heavy_count}


def timed(fn, runs: int) -> tuple[float, float, float]:
    """Median and p95 wall time, and median CPU time of this process (ms).

    The CPU time leaves out the waits caused by other processes on a shared machine; with SQLite
    (in-process) it is close to the wall time on a quiet machine.
    """
    fn()  # warm up
    timings, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        timings.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    timings.sort()
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.95) - 1)], statistics.median(cpu)


def queries_of(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def api_exists(path: str, method: str = "get") -> bool:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return False
    view_class = getattr(match.func, "cls", None)
    actions = getattr(match.func, "actions", None)
    if actions is not None:
        return method in actions
    return view_class is None or hasattr(view_class, method)


def get_ok(client, url):
    def call():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
        return response

    return call


def own_bookings_query(user):
    """Fallback for the bookings list: the member's sessions (owner or collaborator), newest first, one page."""
    from django.db.models import Q

    from scheduler.models import Booking

    def call():
        visible = Booking.objects.filter(Q(group__owner=user) | Q(group__collaborators=user)).distinct()
        total = visible.count()
        page = list(
            visible.select_related("device__device_type", "group__owner")
            .order_by("-start", "-id")[:50]
            .values("id", "start", "end", "status", "device_id", "device__name", "group_id", "group__owner__username")
        )
        return total, page

    return call


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_sequential(client, devices, start: datetime, count: int) -> dict:
    """`count` single-booking POSTs by one member, each on its own (device, window)."""
    codes: dict[int, int] = {}

    def post(k):
        device = devices[k % len(devices)]
        begin = start + timedelta(hours=3 * (k // len(devices)))
        response = client.post(
            "/api/scheduler/bookings/",
            {"device": device.pk, "start": begin.isoformat(), "end": (begin + timedelta(hours=2)).isoformat()},
            content_type="application/json",
        )
        codes[response.status_code] = codes.get(response.status_code, 0) + 1

    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(count):
        post(k)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    # One more POST (a fresh window), counted: the SQL queries a single booking POST costs.
    queries = queries_of(lambda: post(count + len(devices)))
    return {"per_s": count / elapsed, "per_cpu_s": count / cpu, "codes": codes, "queries": queries}


def token_auth_queries(key: str, device, begin: datetime) -> int:
    """SQL queries of one single-booking POST with token authentication (in process, same code path)."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"device": device.pk, "start": begin.isoformat(), "end": (begin + timedelta(hours=2)).isoformat()}
    queries = queries_of(lambda: client.post("/api/scheduler/bookings/", body, content_type="application/json"))
    return queries


def start_gunicorn(*, workers: int, threads: int) -> tuple[subprocess.Popen, int]:
    """gunicorn on a free port of 127.0.0.1 with this process's environment (DEBUG off, same database).

    A threaded WSGI server keeps one connection per thread: CONN_MAX_AGE=60 unless the environment
    says otherwise (the settings' default 0 is for the container's ASGI server).
    """
    import requests

    port = free_port()
    env = {"CONN_MAX_AGE": "60", **os.environ, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "labsite.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers),
         "--threads", str(threads), "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
            return server, port
        except requests.RequestException:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by process `pid` and its descendants (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    parents, cpu = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks
    tree, grew = {pid}, True
    while grew:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(cpu.get(p, 0.0) for p in tree)


def post_http_sequential(user, devices, start: datetime, count: int, *, client: str = "requests") -> dict:
    """`count` single-booking POSTs, one after the other, over HTTP with an API token (gunicorn 1 x 4).

    `client` "requests" is how the lab's scripts call the API; "http.client" is the standard library's
    keep-alive connection, which costs the client far less per request: the difference between the
    two is the client's own time, and "per server CPU second" is the server's side either way.
    """
    import http.client
    import json

    import requests

    from core.services.tokens import token_create

    _, key = token_create(user=user, name=f"bench-http-{client}")
    server, port = start_gunicorn(workers=1, threads=4)
    path = "/api/scheduler/bookings/"
    if client == "requests":
        session = requests.Session()
        session.headers["Authorization"] = f"Token {key}"

        def post(payload) -> int:
            return session.post(f"http://127.0.0.1:{port}{path}", json=payload, timeout=60).status_code
    else:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        headers = {"Authorization": f"Token {key}", "Content-Type": "application/json"}

        def post(payload) -> int:
            connection.request("POST", path, json.dumps(payload), headers)
            response = connection.getresponse()
            response.read()
            return response.status
    codes: dict[int, int] = {}
    timings = []

    def body(k):
        device = devices[k % len(devices)]
        begin = start + timedelta(hours=3 * (k // len(devices)))
        return {"device": device.pk, "start": begin.isoformat(), "end": (begin + timedelta(hours=2)).isoformat()}

    try:
        for k in range(20):  # warm up the worker's threads and connections (windows not used below)
            post(body(count + k))
        t0, server_cpu0 = time.perf_counter(), process_tree_cpu(server.pid)
        for k in range(count):
            t = time.perf_counter()
            code = post(body(k))
            timings.append((time.perf_counter() - t) * 1000)
            codes[code] = codes.get(code, 0) + 1
        elapsed, server_cpu = time.perf_counter() - t0, process_tree_cpu(server.pid) - server_cpu0
    finally:
        stop_server(server)
    timings.sort()
    return {"per_s": count / elapsed, "per_server_cpu_s": count / server_cpu, "server_cpu_ms": server_cpu / count * 1000,
            "p50": statistics.median(timings), "p95": timings[int(len(timings) * 0.95) - 1], "codes": codes, "key": key}


def profile_posts(key: str, devices, start: datetime, count: int) -> None:
    """cProfile over `count` token-authenticated single-booking POSTs in process (the server's code path
    without the HTTP parsing): the functions with the most cumulative time, and the share of SQL."""
    import cProfile
    import pstats

    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {key}")

    def body(k):
        device = devices[k % len(devices)]
        begin = start + timedelta(hours=3 * (k // len(devices)))
        return {"device": device.pk, "start": begin.isoformat(), "end": (begin + timedelta(hours=2)).isoformat()}

    profiler = cProfile.Profile()
    profiler.enable()
    for k in range(count):
        client.post("/api/scheduler/bookings/", body(k), content_type="application/json")
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    print(f"profile of {count} POSTs in process: {total / count * 1000:.2f} ms each (under cProfile)")
    stats.sort_stats("cumulative").print_stats(r"labsite|core|inventory|scheduler|rest_framework|sqlite3|psycopg", 40)


def post_concurrent(lab: dict, start: datetime, rounds: int, per_thread: int) -> dict:
    """8 clients (own tokens) against gunicorn: races for one device's window, then a throughput run."""
    import requests
    from django.db import transaction

    from core.services.tokens import token_create
    from inventory.models import Device, DeviceType
    from scheduler.constants import ACTIVE_STATUSES
    from scheduler.models import Booking
    from scheduler.selectors.availability import depth_segments

    racers = lab["racers"]
    with transaction.atomic():
        keys = [token_create(user=u, name="bench")[1] for u in racers]
        race_type = DeviceType.objects.create(name="Bench race", default_capacity=2, requires_approval=False)
        device = Device.objects.create(name="race-1", device_type=race_type, status="available")
    server, port = start_gunicorn(workers=4, threads=2)
    url = f"http://127.0.0.1:{port}/api/scheduler/bookings/"
    try:
        sessions = []
        for key in keys:
            session = requests.Session()
            session.headers["Authorization"] = f"Token {key}"
            sessions.append(session)

        codes: dict[int, int] = {}
        lock = threading.Lock()
        winners_per_round = []

        def post(session, begin, hours=2):
            response = session.post(url, json={"device": device.pk, "start": begin.isoformat(),
                                               "end": (begin + timedelta(hours=hours)).isoformat()}, timeout=60)
            with lock:
                codes[response.status_code] = codes.get(response.status_code, 0) + 1
            return response.status_code

        # 1. Races: every round, 8 clients want the same window of a capacity-2 device.
        t0 = time.perf_counter()
        for r in range(rounds):
            begin = start + timedelta(hours=4 * r)
            barrier = threading.Barrier(len(sessions))
            results = []

            def racer(session, begin=begin, barrier=barrier, results=results):
                barrier.wait()
                status = post(session, begin)
                with lock:
                    results.append(status)

            threads = [threading.Thread(target=racer, args=(s,)) for s in sessions]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            winners_per_round.append(sum(1 for s in results if s == 201))
        race_s = time.perf_counter() - t0

        # 2. Throughput: 8 clients, each its own windows on the same device.
        throughput_start = start + timedelta(hours=4 * rounds + 24)

        def worker(n, session):
            for k in range(per_thread):
                post(session, throughput_start + timedelta(hours=(n * per_thread + k)), hours=1)

        t0 = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(n, s)) for n, s in enumerate(sessions)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        throughput_s = time.perf_counter() - t0
    finally:
        stop_server(server)
    spans = Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES).values_list("start", "end")
    window = (start - timedelta(days=1), start + timedelta(days=365))
    deepest = max((d for _, _, d in depth_segments(list(spans), *window)), default=0)
    violations = sum(1 for _, _, d in depth_segments(list(spans), *window) if d > device.effective_capacity)
    return {
        "rounds": rounds,
        "winners": winners_per_round,
        "race_s": race_s,
        "throughput_per_s": len(sessions) * per_thread / throughput_s,
        "codes": codes,
        "five_xx": sum(v for k, v in codes.items() if k >= 500),
        "violations": violations,
        "deepest": deepest,
        "capacity": device.effective_capacity,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--posts", type=int, default=300, help="sequential booking POSTs")
    parser.add_argument("--rounds", type=int, default=20, help="concurrent race rounds")
    parser.add_argument("--per-thread", type=int, default=25, help="concurrent throughput POSTs per client")
    parser.add_argument("--http-posts", type=int, default=600, help="sequential booking POSTs over HTTP")
    parser.add_argument("--http-runs", type=int, default=3, help="HTTP runs per client (the machine's load varies)")
    parser.add_argument("--skip-reads", action="store_true", help="measure only the booking POSTs")
    parser.add_argument("--keep", action="store_true", help="keep the SQLite database file after the run")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile N token-authenticated POSTs in process (cProfile) and print where the time goes")
    args = parser.parse_args()
    database_url = configure(os.environ.get("DATABASE_URL"))
    try:
        run(args, database_url)
    finally:
        if database_url == f"sqlite:///{DEFAULT_SQLITE}":
            if args.keep:
                print(f"kept the database: {DEFAULT_SQLITE}")
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(DEFAULT_SQLITE + suffix).unlink(missing_ok=True)


def run(args, database_url: str) -> None:

    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from core import clock
    from scheduler.models import BookingPolicy
    from scheduler.selectors.availability import grid_ceil

    now = clock.now()
    t0 = time.perf_counter()
    lab = build_lab(now)
    build_s = time.perf_counter() - t0
    heavy, devices = lab["heavy"], lab["devices"]

    client = Client()
    client.force_login(heavy)
    today = timezone.localdate(now)
    monday = today - timedelta(days=today.weekday())
    week_start = timezone.make_aware(datetime.combine(monday, datetime.min.time()))
    ids10 = ",".join(str(d.pk) for d in devices[::20][:10])
    ids5 = ",".join(str(d.pk) for d in devices[1::40][:5])
    week = f"start={week_start.date().isoformat()}T00:00&end={(week_start + timedelta(days=7)).date().isoformat()}T00:00"

    cases = [("GET schedule, week, all 200 devices", get_ok(client, f"/api/scheduler/schedule/?start={monday.isoformat()}&days=7"))]
    if api_exists("/api/scheduler/bookings/"):
        cases.append(("GET bookings/?mine=true (member, ~500)", get_ok(client, "/api/scheduler/bookings/?mine=true")))
    else:
        cases.append(("member's bookings: own query (no API yet)", own_bookings_query(heavy)))
    cases += [
        ("GET availability, 10 devices, a week", get_ok(client, f"/api/scheduler/availability/?devices={ids10}&{week}")),
        ("GET next-slot, 5 devices, 4 hours", get_ok(client, f"/api/scheduler/availability/next-slot/?devices={ids5}&duration=240")),
    ]

    print(f"database: {connection.vendor} ({database_url.split('@')[-1]})")
    print(f"lab: {len(devices)} devices, {BOOKINGS} bookings over two years, member 'heavy' owns "
          f"{lab['heavy_bookings']} bookings; built in {build_s:.1f} s")
    print(f"load average before the runs: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'request':44} {'median ms':>10} {'p95 ms':>8} {'cpu ms':>7} {'queries':>8}")
    for name, fn in ([] if args.skip_reads else cases):
        queries = queries_of(fn)
        median, p95, cpu = timed(fn, args.runs)
        print(f"{name:44} {median:10.1f} {p95:8.1f} {cpu:7.1f} {queries:8d}")

    if not api_exists("/api/scheduler/bookings/", "post"):
        print("POST /api/scheduler/bookings/ is not there yet: booking throughput not measured.")
        return
    policy = BookingPolicy.load()
    tz = timezone.get_default_timezone()
    # Beyond the generated bookings' end (now + 182 days) would exceed the horizon; start in 2 days instead,
    # so the member's requests meet others' bookings and every rule (including soft conflicts) runs.
    seq_start = grid_ceil(now + timedelta(days=2), policy.slot_minutes, tz)
    result = post_sequential(client, devices, seq_start, args.posts)
    print(f"POST bookings/ sequential in process (test client), {args.posts} requests: {result['per_s']:.0f} bookings/s "
          f"({result['per_cpu_s']:.0f} per CPU second), answers {result['codes']}")
    http_start = seq_start + timedelta(hours=3 * (args.posts // len(devices) + 2))
    http = None
    for client in ("requests", "http.client"):
        for _ in range(args.http_runs):
            result = post_http_sequential(heavy, devices, http_start, args.http_posts, client=client)
            http = http or result
            http_start += timedelta(hours=3 * ((args.http_posts + 40) // len(devices) + 2))
            print(f"POST bookings/ sequential over HTTP (gunicorn 1 worker x 4 threads, token, {client}), "
                  f"{args.http_posts} requests: {result['per_s']:.0f} bookings/s, p50 {result['p50']:.1f} ms, "
                  f"p95 {result['p95']:.1f} ms; server CPU {result['server_cpu_ms']:.2f} ms per POST "
                  f"({result['per_server_cpu_s']:.0f} per server CPU second); answers {result['codes']}")
    probe = http_start + timedelta(hours=3 * ((args.http_posts + 40) // len(devices) + 2))
    queries = token_auth_queries(http["key"], devices[7], probe)
    print(f"SQL queries per POST (token auth): {queries}")
    if args.profile:
        profile_posts(http["key"], devices, probe + timedelta(days=2), args.profile)
    conc_start = grid_ceil(now + timedelta(days=1), policy.slot_minutes, tz)
    conc = post_concurrent(lab, conc_start, args.rounds, args.per_thread)
    print(f"POST bookings/ 8 concurrent clients, one device (capacity {conc['capacity']}):")
    print(f"  races: {conc['rounds']} rounds, winners per round {conc['winners']} ({conc['race_s']:.1f} s)")
    print(f"  throughput: {conc['throughput_per_s']:.0f} bookings/s; answers {conc['codes']}; "
          f"5xx: {conc['five_xx']}; capacity violations: {conc['violations']} (deepest overlap {conc['deepest']})")


if __name__ == "__main__":
    main()
