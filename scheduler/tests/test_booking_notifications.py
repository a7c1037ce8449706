"""The booking services feed the outbox and never wait on Discord (runs once scheduler.services.booking exists)."""

import socket
import statistics
import time
from datetime import timedelta

import pytest
import requests

from core import clock
from core.models import Notification
from inventory.tests.factories import DeviceFactory

booking = pytest.importorskip("scheduler.services.booking")


def _slot(days: int):
    now = clock.now().replace(second=0, microsecond=0)
    start = now.replace(minute=0) + timedelta(days=days, hours=1)
    return start, start + timedelta(hours=2)


@pytest.fixture
def hanging_webhook(settings):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    settings.DISCORD_BOOKING_WEBHOOK_URL = f"http://127.0.0.1:{sock.getsockname()[1]}/booking"
    settings.DISCORD_ADMIN_WEBHOOK_URL = f"http://127.0.0.1:{sock.getsockname()[1]}/admin"
    yield
    sock.close()


def test_a_request_writes_its_notification_without_network_io(member, hanging_webhook, monkeypatch):
    """booking_request records a booking_requested row in its transaction and opens no connection."""
    def refuse(*args, **kwargs):
        raise AssertionError("network I/O on the request path")

    monkeypatch.setattr(requests.Session, "request", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    start, end = _slot(1)
    booking.booking_request(requester=member, items=[{"device": DeviceFactory(), "start": start, "end": end}])
    row = Notification.objects.get()
    assert (row.event, row.destination, row.status) == ("booking_requested", "booking", "pending")


def test_a_request_is_as_fast_with_discord_hanging_as_without_discord(member, settings, hanging_webhook):
    """Median booking_request time with a hanging webhook is within noise of one with no webhook at all."""
    def median_ms(days0: int) -> float:
        timings = []
        for i in range(7):
            start, end = _slot(days0 + i)
            t0 = time.perf_counter()
            booking.booking_request(requester=member, items=[{"device": DeviceFactory(), "start": start, "end": end}])
            timings.append((time.perf_counter() - t0) * 1000)
        return statistics.median(timings)

    hanging = median_ms(1)
    settings.DISCORD_BOOKING_WEBHOOK_URL = ""
    without = median_ms(20)
    assert hanging < without + 50, (hanging, without)
