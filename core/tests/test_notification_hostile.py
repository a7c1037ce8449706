"""A misbehaving Discord: absurd retry_after, an answer dripped a byte at a time, an error on one row."""

import socket
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from core import clock
from core.choices import NotificationStatus
from core.discord import webhook_payload
from core.models import Notification
from core.services import notifications
from core.services.notifications import notifications_deliver_due

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def make(n=1, destination="admin") -> list[Notification]:
    return Notification.objects.bulk_create([
        Notification(event="test", destination=destination, payload=webhook_payload([f"message {i}"]),
                     next_attempt_at=T0, created_at=T0)
        for i in range(n)
    ])


@pytest.mark.parametrize(("answer", "wait"), [({"retry_after": 1e12}, 600), ({"retry_after": 1e308}, 600),
                                              ({"retry_after": "Infinity"}, 30)])  # not a finite number: the backoff
def test_an_absurd_retry_after_is_capped(db, webhooks, settings, answer, wait):
    """retry_after 1e12 s crashed run_worker on every pass (a datetime past 9999); the wait is capped."""
    settings.NOTIFY_RETRY_AFTER_MAX_SECONDS = 600
    webhooks.expect_request("/admin").respond_with_json(answer, status=429)
    row, = make()
    with clock.frozen(T0):
        assert notifications_deliver_due().retried == 1
    row.refresh_from_db()
    # Still a rate limit (not a failed attempt), waiting exactly the documented maximum.
    assert (row.status, row.attempts) == (NotificationStatus.PENDING, 0) and "429" in row.last_error
    assert row.next_attempt_at == T0 + timedelta(seconds=wait)


@pytest.fixture
def dripping_url():
    """A server that answers 200 but sends its headers one byte every 0.1 s, for up to 10 s."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    stop = threading.Event()

    def serve():
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            conn.recv(65536)
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                if stop.is_set():
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return
                time.sleep(0.1)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/drip"
    stop.set()
    server.close()


def test_the_webhook_call_has_a_total_deadline(db, webhooks, settings, dripping_url):
    """Each byte arrives well within the read timeout, yet the whole call ends at DISCORD_TIMEOUT."""
    settings.DISCORD_ADMIN_WEBHOOK_URL = dripping_url
    settings.DISCORD_TIMEOUT = 0.5
    row, = make()
    started = time.monotonic()
    with clock.frozen(T0):
        assert notifications_deliver_due().retried == 1
    assert time.monotonic() - started < 2
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING and "deadline" in row.last_error


def test_one_notifications_error_never_stops_the_others(db, webhooks, monkeypatch):
    """An unexpected exception on one row is logged and recorded on it; the next rows are delivered."""
    webhooks.expect_request("/admin").respond_with_data("", status=204)
    first, second, third = make(3)
    real = notifications.notification_deliver

    def flaky(row, **kwargs):
        if row.pk == second.pk:
            raise OverflowError("date value out of range")
        return real(row, **kwargs)

    monkeypatch.setattr(notifications, "notification_deliver", flaky)
    with clock.frozen(T0):
        result = notifications_deliver_due()
    assert (result.sent, result.retried) == (2, 1)
    second.refresh_from_db()
    assert second.status == NotificationStatus.PENDING and second.attempts == 1
    assert second.last_error.startswith("Delivery error: OverflowError")
    assert second.next_attempt_at > T0


def test_a_failed_worker_pass_does_not_end_the_worker(db, webhooks, monkeypatch):
    """run_worker logs a pass that raised and carries on with the next one."""
    from io import StringIO

    from django.core.management import call_command

    from core.management.commands import run_worker

    calls = []

    def broken(**kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database went away")
        kwargs["should_stop"]  # noqa: B018
        raise KeyboardInterrupt  # ends the loop of the test

    monkeypatch.setattr(run_worker, "notifications_deliver_due", broken)
    with pytest.raises(KeyboardInterrupt):
        call_command("run_worker", "--no-jobs", "--interval", "0", stdout=StringIO())
    assert len(calls) == 2
