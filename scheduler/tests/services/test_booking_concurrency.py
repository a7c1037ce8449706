"""Real concurrent clients racing for a device's capacity (DESIGN §4.14). PostgreSQL only.

Each client is a thread with its own database connection (closed when the thread ends). A barrier
releases the clients of a round together. With the lock on, exactly `capacity` of them win every
round and the others get RuleConflict. The companion test switches the lock and the overlap check
off and widens the window between "read the bookings" and "write the booking" with a short sleep
(locking.RACE_WINDOW_SECONDS, which only acts while the lock is off): every client then passes
the checks, and the database's exclusion constraint on units alone keeps each round within
capacity.

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
from scheduler.tests.factories import BookingGroupFactory

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (shared in-memory SQLite in tests)"),
]

CLIENTS = 10
ROUNDS = 20
CAPACITY = 2


def _together(calls):
    """Run each zero-argument callable in its own thread, released together by a barrier.

    A callable returns its outcome; RuleConflict becomes "refused:<reason>" (":database" added when the
    database's constraint refused it), anything else "error:...".
    """
    barrier = threading.Barrier(len(calls))
    results = []
    lock = threading.Lock()

    def client(call):
        try:
            barrier.wait(timeout=30)
            try:
                outcome = call()
            except RuleConflict as exc:
                outcome = f"refused:{exc.conflicts[0]['reason'] if exc.conflicts else exc}"
                if "at the same moment" in exc.message:  # the database's refusal (units.units_guarded)
                    outcome += ":database"
            except Exception as exc:  # noqa: BLE001 - any other error is a failure to report
                outcome = f"error:{exc!r}"
            with lock:
                results.append(outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def _race(device, users, start, end):
    """One round: every user requests [start, end) at the same moment."""

    def request_for(user):
        def call():
            booking_request(requester=user, items=[{"device": device, "start": start, "end": end}])
            return "won"

        return call

    return _together([request_for(u) for u in users])


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
        assert results.count("refused:capacity") == CLIENTS - CAPACITY, (round_no, results)
        assert active == CAPACITY


def test_without_the_lock_and_the_overlap_check_the_database_still_refuses(arena, monkeypatch):
    """Companion: with the lock off, the overlap check off and a widened race window, every client
    reads a free device and passes the checks; the database's exclusion constraint on units still
    lets at most `capacity` of them in, and the others get a 409 naming the device (never a 500).
    Refusals by the database show the race is real: without the constraint they would have oversold."""
    from scheduler.services.booking import checks

    device, users = arena
    monkeypatch.setattr(locking, "LOCKING_ENABLED", False)
    monkeypatch.setattr(locking, "RACE_WINDOW_SECONDS", 0.05)
    monkeypatch.setattr(checks.rules, "depth_with", lambda *args, **kwargs: 1)  # the capacity check passes everything
    rounds = _rounds(device, users)
    assert all(not any(r.startswith("error") for r in results) for _, results, _ in rounds), rounds
    assert all(active <= CAPACITY for _, _, active in rounds), rounds
    by_database = [r for _, results, _ in rounds for r in results if r == "refused:capacity:database"]
    print(f"without the lock and the check: max active {max(a for _, _, a in rounds)} (capacity {CAPACITY}), "
          f"{len(by_database)} refusals by the database over {ROUNDS} rounds")
    assert by_database
    assert Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES).count() <= CAPACITY * ROUNDS


def test_concurrent_approvals_never_exceed_capacity(transactional_db, manager):
    """10 managers approve 10 overlapping requests on a capacity-2 device at once: exactly 2 are confirmed."""
    from scheduler.choices import BookingStatus
    from scheduler.services.booking import booking_approve

    device = DeviceFactory(name="OSA 1", device_type=DeviceTypeFactory(name="OSA", default_capacity=CAPACITY))
    device.capacity = CAPACITY
    device.save()
    managers = [manager] + [UserFactory(username=f"boss{i}", is_superuser=True) for i in range(CLIENTS - 1)]
    with clock.frozen(NOW):
        for round_no in range(5):
            start = at(8) + timedelta(hours=3 * round_no)
            # Written directly: ten conflicting requests of ten users (more than capacity, as after a change of capacity).
            # Each holds its own unit (beyond the capacity, as stored rows may after such a change).
            requests = []
            for unit in range(1, CLIENTS + 1):
                group = BookingGroupFactory(owner=UserFactory())
                requests.append(Booking.objects.create(group=group, device=device, start=start, unit=unit,
                                                       end=start + timedelta(hours=2), status=BookingStatus.CONFLICTING))

            def approve_as(actor, booking):
                def call():
                    booking_approve(booking=booking, actor=actor)
                    return "won"

                return call

            results = _together([approve_as(m, b) for m, b in zip(managers, requests, strict=True)])
            assert results.count("won") == CAPACITY, (round_no, results)
            assert Booking.objects.filter(device=device, start=start, status=BookingStatus.CONFIRMED).count() == CAPACITY
