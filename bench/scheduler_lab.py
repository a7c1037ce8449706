"""The scheduler benchmarks' lab: 200 devices and 30,000 bookings over two years around today.

Built deterministically (fixed seed, bulk_create) in the benchmark's own database: a fresh SQLite
file under /tmp by default, or the (emptied) database in DATABASE_URL. Used by scheduler_bench.py,
schedule_page_bench.py, page_weight_bench.py and reports_bench.py; `configure` sets up Django for them.
"""

import os
import random
import statistics
import sys
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

    from core.services.planner_statistics import planner_statistics_refresh

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE")  # autovacuum would have gathered these statistics on a live database
        else:
            # The worker's first pass analyses a SQLite database (then once a day): do what it would.
            planner_statistics_refresh(now=now)
            # Fold the bulk load out of the write-ahead log now, or the first timed commits pay for it.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    heavy_count = Booking.objects.filter(group__owner=heavy).count()
    return {"heavy": heavy, "racers": racers, "devices": devices, "heavy_bookings": heavy_count}


def samples(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall times (sorted) and CPU times of this process, in ms, of `runs` calls after one warm-up.

    The CPU time leaves out the waits caused by other processes on a shared machine; with SQLite
    (in-process) it is close to the wall time on a quiet machine.
    """
    fn()  # warm up
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    wall.sort()
    return wall, cpu


def p95(sorted_ms: list[float]) -> float:
    return sorted_ms[max(0, int(len(sorted_ms) * 0.95) - 1)]


def timed(fn, runs: int) -> tuple[float, float, float]:
    """Median and p95 wall time, and median CPU time of this process (ms)."""
    wall, cpu = samples(fn, runs)
    return statistics.median(wall), p95(wall), statistics.median(cpu)


def queries_of(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


