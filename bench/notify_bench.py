"""Notification worker benchmark: how many notifications per second one worker delivers.

Starts a tiny threaded HTTP server on 127.0.0.1 that answers every POST with 204 (Discord at its
best), fills the outbox of a fresh SQLite file (or the database in DATABASE_URL) with N rows and
times one worker draining it (claim in a short transaction, POST, record), as `run_worker` does.
Also times how long recording a booking request's notification takes inside the sender's transaction.

    DEBUG=true .venv/bin/python bench/notify_bench.py [--rows 500] [--batch 20] [--delay-ms 0]
"""

import argparse
import os
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class Discord(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like Discord
    delay = 0.0
    received = 0
    lock = threading.Lock()

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.delay:
            time.sleep(self.delay)
        with Discord.lock:
            Discord.received += 1
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--batch", type=int, default=None, help="rows claimed per transaction (NOTIFY_BATCH_SIZE)")
    parser.add_argument("--delay-ms", type=float, default=0.0, help="server think time per POST")
    args = parser.parse_args()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Discord)
    Discord.delay = args.delay_ms / 1000
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"

    os.environ.setdefault("DEBUG", "true")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='labsite-bench-')}/bench.sqlite3"
    os.environ["DISCORD_BOOKING_WEBHOOK_URL"] = f"{url}/booking"
    os.environ["DISCORD_ADMIN_WEBHOOK_URL"] = f"{url}/admin"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")

    import django

    django.setup()
    from datetime import timedelta

    import requests
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, transaction

    from core import clock
    from core.models import Notification
    from core.services.notifications import notifications_deliver_due
    from core.tests.factories import UserFactory
    from inventory.tests.factories import DeviceFactory
    from scheduler import signals
    from scheduler.models import BookingGroup
    from scheduler.tests.factories import BookingFactory, BookingGroupFactory

    call_command("migrate", verbosity=0)
    Notification.objects.all().delete()

    # Recording: the cost a booking request pays (one signal → one outbox row), no network.
    owner = UserFactory(username="bench-owner")
    group = BookingGroupFactory(owner=owner, message="benchmark")
    bookings = [
        BookingFactory(group=group, device=DeviceFactory(name=f"bench-{uuid.uuid4().hex[:8]}"), start=clock.now() + timedelta(days=1), end=clock.now() + timedelta(days=1, hours=2))
        for _ in range(3)
    ]
    record_ms = []
    for _ in range(args.rows):
        t0 = time.perf_counter()
        with transaction.atomic():
            signals.booking_requested.send(sender=BookingGroup, group=group, bookings=bookings, actor=owner)
        record_ms.append((time.perf_counter() - t0) * 1000)
    record_ms.sort()
    assert Notification.objects.filter(status="pending").count() == args.rows

    session = requests.Session()
    t0 = time.perf_counter()
    result = notifications_deliver_due(batch_size=args.batch, client=session)
    elapsed = time.perf_counter() - t0
    server.shutdown()
    assert result.sent == args.rows == Discord.received, (result, Discord.received)
    assert Notification.objects.filter(status="sent").count() == args.rows

    print(f"database: {connection.vendor}; batch {args.batch or settings.NOTIFY_BATCH_SIZE}; "
          f"server think time {args.delay_ms:g} ms")
    print(f"recording a 3-booking request's notification: median {record_ms[len(record_ms) // 2]:.2f} ms, "
          f"p95 {record_ms[int(len(record_ms) * 0.95) - 1]:.2f} ms (inside the sender's transaction, no network)")
    print(f"one worker delivered {result.sent} notifications in {elapsed:.2f} s: "
          f"{result.sent / elapsed:.0f} notifications/s")


if __name__ == "__main__":
    main()
