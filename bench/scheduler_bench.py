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
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.booking_posts import post_concurrent, post_http_sequential  # noqa: E402
from bench.scheduler_lab import BOOKINGS, DEFAULT_SQLITE, build_lab, configure, queries_of, timed  # noqa: E402


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
            http = result  # the newest token: its last_used was just touched, as in a script's steady state
            http_start += timedelta(hours=3 * ((args.http_posts + 40) // len(devices) + 2))
            print(f"POST bookings/ sequential over HTTP (gunicorn 1 worker x 4 threads, token, {client}), "
                  f"{args.http_posts} requests: {result['per_s']:.0f} bookings/s, p50 {result['p50']:.1f} ms, "
                  f"p95 {result['p95']:.1f} ms; server CPU {result['server_cpu_ms']:.2f} ms per POST "
                  f"({result['per_server_cpu_s']:.0f} per server CPU second); CPU time stolen by the hypervisor "
                  f"{result['steal_pct']:.0f}%; answers {result['codes']}")
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
