"""Page weight and server time of the week schedule page, with everything a browser loads for it.

Reuses bench/scheduler_lab.py's deterministic lab (200 devices, 30,000 bookings) in its own
database (a fresh SQLite file under /tmp by default, or the emptied database in DATABASE_URL),
collects the static files as in production (hashed names, pre-compressed by WhiteNoise) and, as a
signed-in member:

- requests the week page (`GET /`) gzipped, --runs times: median and p95 server time, and the median
  CPU time of this process (steadier than wall time on a busy machine);
- reads every stylesheet, script and icon the page links, as served (gzipped when the browser may);
- prints the HTML size (raw and gzipped), each asset, the total on the wire, and whether the answer
  carries a Content-Security-Policy header.

Run it before and after a change to the pages (CSP, accessibility) to see what the change cost:

    .venv/bin/python bench/page_weight_bench.py [--runs 30]
    DATABASE_URL=sqlite:////tmp/my-bench.sqlite3 .venv/bin/python bench/page_weight_bench.py
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scheduler_lab import build_lab, configure, queries_of  # noqa: E402

ASSET = re.compile(rb'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="labsite-bench-static-"))
    database_url = configure(os.environ.get("DATABASE_URL"))

    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)

    from core import clock

    lab = build_lab(clock.now())
    client = Client()
    client.force_login(lab["heavy"])

    def get_page():
        return client.get("/", HTTP_ACCEPT_ENCODING="gzip")

    raw = client.get("/")
    assert raw.status_code == 200, raw.content[:300]
    zipped = get_page()
    assert zipped.get("Content-Encoding") == "gzip"
    queries = queries_of(get_page)
    get_page()
    times, cpu = [], []
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        get_page()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()

    print(f"database: {database_url.split('@')[-1]}; runs: {args.runs}")
    print(f"GET / (week, 200 devices): median {statistics.median(times):.1f} ms, "
          f"p95 {times[max(0, int(len(times) * 0.95) - 1)]:.1f} ms, CPU median {statistics.median(cpu):.1f} ms, "
          f"{queries} queries")
    print(f"CSP header: {raw.get('Content-Security-Policy') or '(none)'}")
    print(f"{'what':62s} {'raw':>10s} {'on the wire':>12s}")
    print(f"{'HTML':62s} {len(raw.content):10,d} {len(zipped.content):12,d}")
    total_raw, total_wire = len(raw.content), len(zipped.content)
    for url in sorted({m.decode() for m in ASSET.findall(raw.content)}):
        plain = client.get(url)
        wire = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert plain.status_code == 200, url
        size, wire_size = len(body_of(plain)), len(body_of(wire))
        total_raw += size
        total_wire += wire_size
        print(f"{url:62s} {size:10,d} {wire_size:12,d}")
    print(f"{'total':62s} {total_raw:10,d} {total_wire:12,d}")


if __name__ == "__main__":
    main()
