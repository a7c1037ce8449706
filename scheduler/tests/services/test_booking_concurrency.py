"""Real concurrent clients racing for a device's capacity (DESIGN §4.14). PostgreSQL only.

Each client is a thread with its own database connection (closed when the thread ends). A barrier
releases the clients of a round together. With the lock on, exactly `capacity` of them win every
round and the others get RuleConflict. The companion test switches the lock off and widens the
window between "read the bookings" and "write the booking" with a short sleep
(locking.RACE_WINDOW_SECONDS, which only acts while the lock is off): then rounds oversell, which
shows the first test would catch a missing lock.

On SQLite the test database is a shared in-memory database (table-level locks, no busy timeout),
so these tests are skipped there; bench/ measures concurrent SQLite writers on a real file with
IMMEDIATE transactions.
"""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from core import clock
from core.exceptions import RuleConflict
from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking
from scheduler.services import locking
from scheduler.services.booking import booking_request
from scheduler.tests.conftest import NOW, at

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (shared in-memory SQLite in tests)"),
]

CLIENTS = 10
ROUNDS = 20
CAPACITY = 2


def _race(device, users, start, end):
    """Run one round: every user requests [start, end) at the same moment. Returns (wins, refusals, errors)."""
    barrier = threading.Barrier(len(users))
    results = []
    lock = threading.Lock()

    def client(user):
        try:
            barrier.wait(timeout=30)
            try:
                booking_request(requester=user, items=[{"device": device, "start": start, "end": end}])
                outcome = "won"
            except RuleConflict as exc:
                outcome = "refused" if exc.conflicts and exc.conflicts[0]["reason"] == "capacity" else f"conflict:{exc}"
            except Exception as exc:  # noqa: BLE001 - any other error is a failure to report
                outcome = f"error:{exc!r}"
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.fixture
def arena(transactional_db):
    device = DeviceFactory(name="TeraFlex 1", device_type=DeviceTypeFactory(name="Transponder", default_capacity=CAPACITY))
    users = [UserFactory(username=f"racer{i}") for i in range(CLIENTS)]
    return device, users


def _rounds(device, users):
    oversold = []
    with clock.frozen(NOW):
        for round_no in range(ROUNDS):
            start = at(8) + timedelta(hours=3 * round_no)
            end = start + timedelta(hours=2)
            results = _race(device, users, start, end)
            active = Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES, start=start).count()
            oversold.append((round_no, results, active))
    return oversold


def test_lock_allows_exactly_capacity_winners(arena):
    """10 clients x 20 rounds: exactly `capacity` win each round, the rest are refused for capacity."""
    device, users = arena
    assert locking.LOCKING_ENABLED
    for round_no, results, active in _rounds(device, users):
        assert len(results) == CLIENTS, round_no
        assert results.count("won") == CAPACITY, (round_no, results)
        assert results.count("refused") == CLIENTS - CAPACITY, (round_no, results)
        assert active == CAPACITY


def test_without_the_lock_the_race_oversells(arena, monkeypatch):
    """Companion: with the lock switched off, at least one round confirms more than `capacity` requests."""
    device, users = arena
    monkeypatch.setattr(locking, "LOCKING_ENABLED", False)
    monkeypatch.setattr(locking, "RACE_WINDOW_SECONDS", 0.05)
    rounds = _rounds(device, users)
    assert all(not any(r.startswith("error") for r in results) for _, results, _ in rounds)
    print(f"oversold rounds without the lock: {sum(a > CAPACITY for _, _, a in rounds)}/{ROUNDS}, "
          f"max active {max(a for _, _, a in rounds)} (capacity {CAPACITY})")
    assert any(active > CAPACITY for _, _, active in rounds), rounds
