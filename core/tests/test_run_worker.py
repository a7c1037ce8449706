"""manage.py run_worker: one pass, the periodic jobs, clean stops, and several workers at once."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from werkzeug import Response

from core import jobs
from core.discord import webhook_payload
from core.models import Notification
from core.services.notifications import notifications_deliver_due

ROOT = Path(__file__).resolve().parents[2]


def make(n=1, destination="admin"):
    return Notification.objects.bulk_create(
        [Notification(event="test", destination=destination, payload=webhook_payload([f"message {i}"])) for i in range(n)]
    )


def received(httpserver) -> Counter:
    return Counter(json.loads(r.data)["content"] for r, resp in httpserver.log if resp.status_code < 300)


@pytest.fixture
def job_registry(monkeypatch):
    """A private registry, so the scheduler's jobs do not run in these tests."""
    registry = {}
    monkeypatch.setattr(jobs, "_jobs", registry)
    return registry


def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks with SKIP LOCKED, a database other processes can open)")


def test_once_runs_the_jobs_then_delivers(db, webhooks, job_registry):
    """--once: the registered jobs run first (so what they announce goes out in the same pass), then delivery."""
    webhooks.expect_request("/admin").respond_with_data("", status=204)
    order = []

    def announce(*, now):
        order.append(("job", now))
        make(2)
        return 2

    def broken(*, now):
        raise RuntimeError("a broken job does not stop the worker")

    jobs.job_register("test.broken", broken)
    jobs.job_register("test.announce", announce)
    out = StringIO()
    call_command("run_worker", "--once", stdout=out)
    assert len(order) == 1
    assert out.getvalue().strip() == "Notifications: 2 sent, 0 to retry, 0 failed, 0 disabled. Jobs: test.broken failed (a broken job does not stop the worker), test.announce: 2."
    assert Notification.objects.filter(status="sent").count() == 2


def test_scheduler_registers_its_jobs():
    """The scheduler app registers expiry and reminders with the worker from its ready()."""
    assert {"scheduler.booking_expire_due", "scheduler.booking_reminders_send"} <= set(jobs.jobs_registered())


def test_sigterm_stops_the_loop_cleanly(db, webhooks, job_registry):
    """SIGTERM while idle ends the loop promptly; the previous signal handlers are restored."""
    before = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    out = StringIO()
    started = time.monotonic()
    call_command("run_worker", "--interval", "30", stdout=out)
    assert time.monotonic() - started < 5
    assert "Received SIGTERM" in out.getvalue() and "Worker stopped after 1 pass." in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigterm_finishes_the_current_item(db, webhooks, job_registry, settings):
    """A stop during a POST lets it finish and be recorded; the rest stay pending for the next worker."""
    settings.DISCORD_TIMEOUT = 5  # the total deadline must not cut the 0.4 s answer on a busy machine
    def slow(request):
        time.sleep(0.4)
        return Response("", status=204)

    webhooks.expect_request("/admin").respond_with_handler(slow)
    make(5)
    timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    call_command("run_worker", "--interval", "30", stdout=StringIO())
    assert Notification.objects.filter(status="sent").count() == 1
    assert Notification.objects.filter(status="pending", attempts=0).count() == 4


@pytest.mark.postgres_only
def test_two_workers_at_once_send_nothing_twice(transactional_db, webhooks):
    """Four workers (threads with their own connections) drain one outbox: every message exactly once."""
    needs_postgres()

    def discord(request):
        time.sleep(0.002)
        return Response("", status=204)

    webhooks.expect_request("/admin").respond_with_handler(discord)
    make(300)
    errors = []
    per_worker = []

    def worker():
        try:
            per_worker.append(notifications_deliver_due(batch_size=5).sent)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(1 for n in per_worker if n) > 1, per_worker  # they really worked side by side
    counts = received(webhooks)
    assert len(counts) == 300 and set(counts.values()) == {1}
    assert Notification.objects.filter(status="sent", attempts=1).count() == 300


@pytest.mark.postgres_only
@pytest.mark.parametrize("locking", [True, False], ids=["locked", "locking-off"])
def test_claims_race_only_without_row_locks(transactional_db, webhooks, monkeypatch, locking):
    """Two workers claim at the same instant. With SKIP LOCKED they get different rows; with the lock
    switched off both get the same rows and Discord receives duplicates (the race the lock prevents)."""
    from django.db.models import QuerySet

    from core.services.notifications import notification_deliver, notifications_claim

    needs_postgres()
    webhooks.expect_request("/admin").respond_with_data("", status=204)
    make(10)
    if not locking:
        monkeypatch.setattr(QuerySet, "select_for_update", lambda self, **kwargs: self)
    # Both workers pause between choosing their rows and leasing them, so the choices overlap in time.
    barrier = threading.Barrier(2, timeout=10)
    update = QuerySet.update

    def paused_update(self, **kwargs):
        if self.model is Notification and "attempts" in kwargs and kwargs.get("next_attempt_at"):
            barrier.wait()
        return update(self, **kwargs)

    monkeypatch.setattr(QuerySet, "update", paused_update)

    def worker():
        try:
            rows, _ = notifications_claim(limit=5)
            for row in rows:
                notification_deliver(row)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    counts = received(webhooks)
    if locking:
        assert len(counts) == 10 and set(counts.values()) == {1}
    else:
        assert len(counts) == 5 and set(counts.values()) == {2}


@pytest.mark.postgres_only
def test_worker_process_delivers_and_exits_0_on_sigterm(transactional_db, webhooks):
    """The real command in its own process: delivers, then stops with exit code 0 on SIGTERM."""
    needs_postgres()
    webhooks.expect_request("/admin").respond_with_data("", status=204)
    make(3)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DISCORD_ADMIN_WEBHOOK_URL": settings.DISCORD_ADMIN_WEBHOOK_URL,
        "DISCORD_BOOKING_WEBHOOK_URL": settings.DISCORD_BOOKING_WEBHOOK_URL,
        "DISCORD_TIMEOUT": "2",
    }
    process = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "0.2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while sum(received(webhooks).values()) < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        make(1)  # one more while it runs
        while sum(received(webhooks).values()) < 4 and time.monotonic() < deadline:
            time.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Received SIGTERM" in output and "Worker stopped" in output
    assert Notification.objects.filter(status="sent").count() == 4
    assert sum(received(webhooks).values()) == 4
