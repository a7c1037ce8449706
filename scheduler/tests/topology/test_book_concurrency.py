"""Racing clients booking the same ports (DESIGN §10: two active sessions never hold one port at once). PostgreSQL only.

Ten users book, at the same moment, mappings that use the same switch port of TeraFlex 1 (the
devices have room for all of them, so only the port decides). With the lock exactly one wins per
round. The companions switch the lock off: with the exclusion constraint still in place the
database refuses the extra reservations (409, never a 500); with the constraint dropped too, the
race shows as overlapping active reservations of one port.
"""

import importlib
from datetime import timedelta

import pytest
from django.db import connection

from core import clock
from core.tests.factories import UserFactory
from scheduler.services import locking
from scheduler.tests.conftest import NOW, at
from scheduler.tests.services.test_booking_concurrency import _together
from scheduler.tests.topology.lab import lab_build, topology_of
from scheduler.topology.booking import topology_book
from scheduler.topology.models import PortReservation

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (shared in-memory SQLite in tests)"),
]

CLIENTS = 10
ROUNDS = 8
CONSTRAINT = "scheduler_portreservation_port_no_overlap"


@pytest.fixture
def arena(transactional_db):
    lab = lab_build()
    lab.device("TeraFlex", "TeraFlex 1", ports=1, capacity=CLIENTS)
    for n in range(CLIENTS):
        lab.device("ROADM", f"ROADM {n}", ports=1, capacity=CLIENTS)
    users = [UserFactory(username=f"racer{i}") for i in range(CLIENTS)]
    calls = []
    for n, user in enumerate(users):
        topology = topology_of(user, lab, [("t", "=TeraFlex 1"), ("r", f"=ROADM {n}")], [("t", "r")])
        mapping = {"nodes": [{"key": "t", "device": lab.devices["TeraFlex 1"].pk}, {"key": "r", "device": lab.devices[f"ROADM {n}"].pk}],
                   "links": [{"a": "t", "b": "r", "ports": [lab.ports["teraflex_1_p1"].pk, lab.ports[f"roadm_{n}_p1"].pk]}]}
        calls.append((topology, user, mapping))
    return lab, calls


def _rounds(calls):
    outcomes = []
    with clock.frozen(NOW):
        for round_no in range(ROUNDS):
            start = at(8) + timedelta(hours=3 * round_no)

            def book(topology, user, mapping, start=start):
                def call():
                    topology_book(topology=topology, requester=user, mapping=mapping, start=start, end=start + timedelta(hours=2))
                    return "won"

                return call

            results = _together([book(*c) for c in calls])
            held = PortReservation.objects.filter(port__name="teraflex_1_p1", active=True, start=start).count()
            outcomes.append((round_no, results, held))
    return outcomes


def test_lock_gives_a_port_to_exactly_one_session(arena):
    assert locking.LOCKING_ENABLED
    for round_no, results, held in _rounds(arena[1]):
        assert results.count("won") == 1, (round_no, results)
        assert results.count("refused:port_reserved") == CLIENTS - 1, (round_no, results)
        assert held == 1


def test_without_the_lock_the_exclusion_constraint_still_refuses_with_409(arena, monkeypatch):
    monkeypatch.setattr(locking, "LOCKING_ENABLED", False)
    monkeypatch.setattr(locking, "RACE_WINDOW_SECONDS", 0.05)
    for round_no, results, held in _rounds(arena[1]):
        assert not any(r.startswith("error") for r in results), (round_no, results)
        assert results.count("won") == 1 and held == 1, (round_no, results)


def test_without_the_lock_and_the_constraint_the_race_double_books_a_port(arena, monkeypatch):
    """Companion: proves the tests above would catch a missing lock."""
    monkeypatch.setattr(locking, "LOCKING_ENABLED", False)
    monkeypatch.setattr(locking, "RACE_WINDOW_SECONDS", 0.05)
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE scheduler_portreservation DROP CONSTRAINT {CONSTRAINT}")
    try:
        rounds = _rounds(arena[1])
    finally:
        PortReservation.objects.all().delete()
        migration = importlib.import_module("scheduler.migrations.0005_topology_port_reservation")
        with connection.cursor() as cursor:
            cursor.execute(migration.EXCLUSION_SQL)
    print(f"rounds with a port held twice: {sum(h > 1 for _, _, h in rounds)}/{ROUNDS}")
    assert any(held > 1 for _, _, held in rounds), rounds
