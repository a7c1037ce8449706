"""Inventory API benchmark: SQL queries and time of GET /api/inventory/devices/?limit=200 on the demo lab.

Builds the demo lab (`init_db --demo`) in a fresh SQLite file (or the database in DATABASE_URL),
then requests the device list repeatedly as a signed-in member.

    .venv/bin/python bench/inventory_bench.py [--runs 50]
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    # Production-like: DEBUG off (no query logging), a throwaway key.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='labsite-bench-')}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core.models import User
    from inventory.models import Device

    started = time.perf_counter()
    call_command("init_db", "--demo", stdout=io.StringIO())
    setup_s = time.perf_counter() - started

    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.filter(is_superuser=False).order_by("id").first())
    url = "/api/inventory/devices/?limit=200"
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    queries = len(ctx.captured_queries)
    rows = len(response.json()["results"])

    timings = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"database: {connection.vendor}; demo lab: {Device.objects.count()} devices (init_db --demo took {setup_s:.1f} s)")
    print(f"GET {url}: {rows} rows, {queries} SQL queries, "
          f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms over {args.runs} runs")


if __name__ == "__main__":
    main()
