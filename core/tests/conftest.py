"""Fixtures for the notification tests: a stand-in for Discord on 127.0.0.1."""

import socket

import pytest


@pytest.fixture(scope="session")
def httpserver_listen_address():
    return ("127.0.0.1", 0)


@pytest.fixture
def webhooks(settings, httpserver):
    """Point both webhooks at the local test server, with short timeouts."""
    settings.DISCORD_BOOKING_WEBHOOK_URL = httpserver.url_for("/booking")
    settings.DISCORD_ADMIN_WEBHOOK_URL = httpserver.url_for("/admin")
    settings.DISCORD_TIMEOUT = 0.5
    settings.NOTIFY_MAX_ATTEMPTS = 5
    settings.NOTIFY_BACKOFF_SECONDS = 30
    settings.NOTIFY_BACKOFF_MAX_SECONDS = 3600
    return httpserver


@pytest.fixture
def hanging_url():
    """A URL whose server accepts connections and never answers (Discord hanging)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/hang"
    sock.close()
