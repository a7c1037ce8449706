"""Week schedule page benchmark: server time and SQL queries of GET / (the grid) for all devices.

Reuses bench/scheduler_lab.py's deterministic lab (200 devices with ports, 30,000 bookings over
two years around today, maintenance windows) in its own database: a fresh SQLite file under /tmp by
default, or the (emptied) database in DATABASE_URL. Then it requests the week page as a signed-in
member with the Django test client and reports the median and p95 over --runs requests, and the
query count, and the page's size as HTML and as sent gzipped; also the htmx fragment, a search and
next week. Times include the gzip compression a browser's request costs.

    .venv/bin/python bench/schedule_page_bench.py [--runs 30]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/labsite_bench .venv/bin/python bench/schedule_page_bench.py
"""

import argparse
import os
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scheduler_lab import build_lab, configure, queries_of, timed  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    # Production-like static files: the manifest storage needs collected files, as in the image.
    os.environ.setdefault("STATIC_ROOT", tempfile.mkdtemp(prefix="labsite-bench-static-"))
    database_url = configure(os.environ.get("DATABASE_URL"))

    from django.core.management import call_command
    from django.test import Client

    call_command("collectstatic", interactive=False, verbosity=0)

    from core import clock
    from scheduler.models import Booking

    now = clock.now()
    lab = build_lab(now)
    client = Client()
    client.force_login(lab["heavy"])
    cases = [
        ("GET / (this week, all devices)", "/", {}),
        ("GET / htmx fragment", "/", {"HTTP_HX_REQUEST": "true"}),
        ("GET /?q=roadm, tf (search)", "/?q=roadm,%20teraflex", {}),
        ("GET / next week", "/?week=" + (now.date() + timedelta(days=7)).isoformat(), {}),
    ]
    print(f"database: {database_url.split('@')[-1]}; bookings: {Booking.objects.count()}; devices: {len(lab['devices'])}")
    for label, url, headers in cases:
        response = client.get(url, **headers)
        assert response.status_code == 200, response.content[:500]
        cells = response.content.count(b"<td")
        # What a browser receives: the same page gzipped by GZipMiddleware (Accept-Encoding: gzip).
        zipped = client.get(url, HTTP_ACCEPT_ENCODING="gzip", **headers)
        assert zipped.get("Content-Encoding") == "gzip", "GZipMiddleware is not compressing the page"
        queries = queries_of(lambda url=url, headers=headers: client.get(url, **headers))
        median, p95, cpu = timed(lambda url=url, headers=headers: client.get(url, HTTP_ACCEPT_ENCODING="gzip", **headers),
                                 args.runs)
        print(f"{label:34s} median {median:6.1f} ms  p95 {p95:6.1f} ms  cpu {cpu:6.1f} ms  queries {queries:2d}  cells {cells}  "
              f"size {len(response.content) // 1024} KiB (gzip {len(zipped.content) // 1024} KiB)")


if __name__ == "__main__":
    main()
