"""One switch at a time per outlet: two racing requests never interleave at the PDU.

Each client is a thread with its own database connection, released together by a barrier. The
simulator holds every switch command for a moment, so the second request arrives while the first
is still at the PDU. With the lease on, exactly one reaches the PDU and the other gets 409; the
companion test switches the lease off and shows the two commands overlapping at the PDU.
"""

import threading

import pytest
from django.db import connections

from core import clock
from core.exceptions import RuleConflict
from inventory.pdu_driver import PduError
from inventory.services import power as power_services
from scheduler.services.power import outlet_switch
from scheduler.tests.conftest import NOW

pytestmark = pytest.mark.django_db(transaction=True)


def _race(outlet, actor, actions):
    barrier = threading.Barrier(len(actions))
    results = []

    def client(action):
        try:
            barrier.wait(timeout=10)
            with clock.frozen(NOW):
                try:
                    results.append(outlet_switch(outlet=outlet, actor=actor, action=action).state)
                except RuleConflict as exc:
                    results.append(f"refused:{exc.conflicts[0]['reason']}")
                except PduError as exc:  # without the lease: one command undoes the other before its read-back
                    results.append(f"failed:{exc.message}")
                except Exception as exc:  # noqa: BLE001 - any other error is a failure to report
                    results.append(f"error:{exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return sorted(results)


def _overlapping(sim) -> bool:
    """Did a switch command arrive while another was still being carried out?"""
    times = [at for at, _, _ in sim.pdu.switch_times()]
    return len(times) >= 2 and max(times) - min(times) < sim.pdu.switch_delay


def test_two_racing_switches_do_not_interleave(manager, roadm_outlet, pdu_sim):
    pdu_sim.pdu.switch_delay = 0.4
    results = _race(roadm_outlet, manager, ["on", "off"])
    assert len(results) == 2
    assert results.count("refused:busy") == 1, results
    assert not [r for r in results if r.startswith("error")], results
    assert len(pdu_sim.pdu.switch_times()) == 1
    roadm_outlet.refresh_from_db()
    assert roadm_outlet.switching_until is None


def test_without_the_lease_the_race_is_real(manager, roadm_outlet, pdu_sim, monkeypatch):
    monkeypatch.setattr(power_services, "LEASE_ENABLED", False)
    pdu_sim.pdu.switch_delay = 0.4
    results = _race(roadm_outlet, manager, ["on", "off"])
    assert "refused:busy" not in results
    assert len(results) == 2, results
    assert _overlapping(pdu_sim), results
