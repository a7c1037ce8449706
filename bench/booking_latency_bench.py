"""Does a booking request wait on Discord? Median time of POST /api/scheduler/bookings/ with the
webhook server healthy versus hanging (accepts the connection, never answers), while a worker
thread keeps trying to deliver the outbox in the background.

    .venv/bin/python bench/booking_latency_bench.py [--requests 60]     (DATABASE_URL=… for PostgreSQL)
"""

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


class Healthy(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def hanging_server() -> tuple[socket.socket, str]:
    """A listening socket whose connections are accepted by the kernel and never answered."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    return sock, f"http://127.0.0.1:{sock.getsockname()[1]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=60, help="POSTs per condition")
    args = parser.parse_args()

    healthy = ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=healthy.serve_forever, daemon=True).start()
    healthy_url = f"http://127.0.0.1:{healthy.server_address[1]}"
    _hanging_sock, hanging_url = hanging_server()

    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DISCORD_TIMEOUT", "30")
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='labsite-bench-')}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "labsite.settings")

    import warnings

    import django

    warnings.filterwarnings("ignore", "No directory at")

    django.setup()
    from datetime import timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test import Client

    from core import clock
    from core.models import Notification
    from core.services.notifications import notifications_deliver_due
    from core.tests.factories import UserFactory
    from inventory.tests.factories import DeviceFactory, DeviceTypeFactory

    call_command("migrate", verbosity=0)
    member = UserFactory(username=f"bench-{time.time_ns()}")
    kind = DeviceTypeFactory(name=f"BenchType-{time.time_ns()}", default_capacity=2)
    devices = [DeviceFactory(device_type=kind, name=f"bench-dev-{i}-{time.time_ns()}") for i in range(4)]
    client = Client(HTTP_HOST="localhost")
    client.force_login(member)

    stop = threading.Event()

    def worker():
        while not stop.is_set():
            notifications_deliver_due(batch_size=5)
            time.sleep(0.05)
        connections.close_all()

    tz_now = clock.now().astimezone()
    base = (tz_now + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    slot = [0]

    def post_once() -> float:
        device = devices[slot[0] % len(devices)]
        start = base + timedelta(minutes=30 * (slot[0] // len(devices)))
        slot[0] += 1
        body = {"device": device.pk, "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}
        t0 = time.perf_counter()
        response = client.post("/api/scheduler/bookings/", body, content_type="application/json")
        elapsed = (time.perf_counter() - t0) * 1000
        assert response.status_code == 201, response.content[:300]
        return elapsed

    results = {}
    for label, url in (("healthy", healthy_url), ("hanging", hanging_url), ("healthy again", healthy_url)):
        settings.DISCORD_BOOKING_WEBHOOK_URL = f"{url}/booking"
        settings.DISCORD_ADMIN_WEBHOOK_URL = f"{url}/admin"
        stop.clear()
        thread = threading.Thread(target=worker, daemon=True)
        thread.start()
        post_once()  # warm up
        results[label] = sorted(post_once() for _ in range(args.requests))
        stop.set()
        if label != "hanging":
            thread.join()
    print(f"database: {connection.vendor}; {args.requests} POST /api/scheduler/bookings/ per condition, "
          f"a worker delivering in the background")
    for label, timings in results.items():
        print(f"  Discord {label:<14} median {statistics.median(timings):6.1f} ms   p95 {timings[int(len(timings) * 0.95) - 1]:6.1f} ms")
    print(f"outbox: {Notification.objects.filter(status='sent').count()} sent, "
          f"{Notification.objects.exclude(status='sent').count()} waiting (the ones recorded while Discord hung)")
    os._exit(0)  # the worker thread may still be blocked on the hanging server


if __name__ == "__main__":
    main()
