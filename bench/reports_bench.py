"""Insight benchmark: utilization report, demand heatmap, "what is free", substitutes for a refused cart.

Builds the scheduler benchmark's lab (200 devices, 30,000 bookings over two years around today, see
bench/scheduler_lab.py) in its own database, then reports the median and p95 time over --runs
calls, with the SQL query count of each:

- the utilization report over the last year (per device, type and site)
- the demand heatmap over the last 12 weeks (all types)
- "what is free" for the coming week (all devices)
- substitutes and next free windows for a refused 10-item cart (capacity-1 devices over windows their
  bookings fill), alone and within the whole refused booking request (checks under the lock, then help)

and the query counts again after deleting half of the bookings (they must not change).

    .venv/bin/python bench/reports_bench.py [--runs 20]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labsite_reports_bench .venv/bin/python bench/reports_bench.py

The PostgreSQL database must exist; the script migrates it and deletes every row in it first.
"""

import argparse
import os
import statistics
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scheduler_lab as base  # noqa: E402

DEFAULT_SQLITE = "/tmp/labsite-reports-bench.sqlite3"


def timed(fn, runs: int) -> tuple[float, float, float, float]:
    """Median, p95 and fastest wall time, and median CPU time of this process (ms).

    On a shared machine the wall time includes waiting for a core; the fastest run and the CPU time
    (which, with SQLite, includes the database's own work) show the cost without that wait.
    """
    wall, cpu = base.samples(fn, runs)
    return statistics.median(wall), base.p95(wall), wall[0], statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    base.DEFAULT_SQLITE = DEFAULT_SQLITE
    url = base.configure(os.environ.get("DATABASE_URL"))
    from django.db import connection

    from core import clock
    from core.exceptions import RuleConflict
    from inventory.models import Device
    from scheduler.models import Booking
    from scheduler.selectors.insight.demand import demand_heatmap
    from scheduler.selectors.insight.free import free_for
    from scheduler.selectors.insight.substitutes import AskedItem, refusal_help
    from scheduler.selectors.insight.utilization import utilization_report
    from scheduler.services.booking import booking_request

    now = clock.now().replace(minute=0, second=0, microsecond=0)
    lab = base.build_lab(now)
    Device.objects.update(created_at=now - timedelta(days=800))  # the devices existed all along
    week_start = now + timedelta(days=1)
    # A refused 10-item cart: 10 capacity-1 devices (OSA, Server) over windows their own bookings fill.
    held = list(Booking.objects.filter(device__device_type__default_capacity=1, status__in=["confirmed", "pending"],
                                       start__gt=now + timedelta(days=1)).order_by("start").values_list("device_id", "start", "end"))
    picked, seen = [], set()
    for device_id, start, end in held:
        if device_id not in seen:
            seen.add(device_id)
            picked.append((device_id, start, end))
    picked = picked[:10]
    cart = [AskedItem(device_id, start, end) for device_id, start, end in picked]
    requester = lab["racers"][0]
    items = [{"device": Device.objects.select_related("device_type").get(pk=d), "start": s, "end": e} for d, s, e in picked]

    def refused_request():
        try:
            booking_request(requester=requester, items=items)
        except RuleConflict as refusal:
            assert all("suggestions" in c for c in refusal.conflicts)
            return
        raise AssertionError("the cart was expected to be refused")

    cases = [
        ("utilization, one year", lambda: utilization_report(start=now - timedelta(days=365), end=now), 300),
        ("heatmap, 12 weeks", lambda: demand_heatmap(weeks=12), 150),
        ("what is free, one week", lambda: free_for(start=week_start, end=week_start + timedelta(days=7)), 50),
        ("substitutes, 10-item cart", lambda: refusal_help(items=cart), None),
        ("refused 10-item request", refused_request, None),
    ]
    print(f"database: {connection.vendor} ({url.split('@')[-1]}); {Device.objects.count()} devices, "
          f"{Booking.objects.count()} bookings; {args.runs} runs each")
    counts = {}
    for name, fn, target in cases:
        median, p95, fastest, cpu = timed(fn, args.runs)
        counts[name] = base.queries_of(fn)
        verdict = "" if target is None else (" ok" if median < target else f" OVER the {target} ms target")
        print(f"  {name:28} median {median:7.1f} ms  p95 {p95:7.1f} ms  fastest {fastest:6.1f} ms  cpu {cpu:6.1f} ms  "
              f"queries {counts[name]}{verdict}")
    doomed = list(Booking.objects.order_by("id").values_list("id", flat=True))[1::2]
    for n in range(0, len(doomed), 5000):
        Booking.objects.filter(id__in=doomed[n:n + 5000]).delete()
    print(f"after deleting half the bookings ({Booking.objects.count()} left), query counts:")
    for name, fn, _ in cases:
        print(f"  {name:28} queries {base.queries_of(fn)} (was {counts[name]})")


if __name__ == "__main__":
    main()
