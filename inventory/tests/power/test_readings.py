"""The worker's PDU poll: readings stored per outlet and PDU with a time; failing PDUs back off and are reported once."""

from datetime import UTC, datetime, timedelta

import pytest

from core import clock
from core.models import AuditEvent, Notification
from inventory.models import Pdu
from inventory.pdu_driver import PduPasswordMissing
from inventory.services.power import pdu_connect, pdu_readings_poll
from inventory.tests.factories import OutletFactory
from inventory.tests.power_fixtures import pdu_for

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def outlets(sim_pdu):
    return [OutletFactory(pdu=sim_pdu, number=n) for n in (1, 2, 16)]


def test_poll_stores_state_power_current_and_time_per_outlet_and_pdu(pdu_sim, sim_pdu, outlets):
    pdu_sim.pdu.on[1] = True
    with clock.frozen(T0):
        assert pdu_readings_poll() == 1
    for outlet in outlets:
        outlet.refresh_from_db()
        assert outlet.read_at == T0
    assert (outlets[1].state, outlets[1].power_w, outlets[1].current_a) == ("on", 54.0, 0.235)
    assert (outlets[0].state, outlets[0].power_w) == ("off", 0.0)
    sim_pdu.refresh_from_db()
    assert (sim_pdu.active_power_w, sim_pdu.active_energy_wh, sim_pdu.read_at) == (54.0, 12345.0, T0)


def test_poll_waits_for_the_interval(pdu_sim, sim_pdu, outlets, settings):
    settings.POWER_POLL_SECONDS = 60
    with clock.frozen(T0):
        pdu_readings_poll()
    before = len(pdu_sim.pdu.calls)
    with clock.frozen(T0 + timedelta(seconds=30)):
        assert pdu_readings_poll() == 0
    assert len(pdu_sim.pdu.calls) == before
    with clock.frozen(T0 + timedelta(seconds=61)):
        assert pdu_readings_poll() == 1


def test_a_failing_pdu_backs_off_and_is_reported_once_then_recovery_is_reported(pdu_sim, sim_pdu, outlets, settings):
    settings.PDU_BACKOFF_SECONDS = 60
    pdu_sim.pdu.fault = "error"
    with clock.frozen(T0):
        assert pdu_readings_poll() == 0
    sim_pdu.refresh_from_db()
    assert (sim_pdu.failures, sim_pdu.retry_at, sim_pdu.failure_reported) == (1, T0 + timedelta(seconds=60), True)
    calls = len(pdu_sim.pdu.calls)
    with clock.frozen(T0 + timedelta(seconds=30)):  # backing off: not even called
        pdu_readings_poll()
    assert len(pdu_sim.pdu.calls) == calls
    with clock.frozen(T0 + timedelta(seconds=61)):
        pdu_readings_poll()
    sim_pdu.refresh_from_db()
    assert (sim_pdu.failures, sim_pdu.retry_at) == (2, T0 + timedelta(seconds=61 + 120))
    failing = Notification.objects.filter(event="pdu_failing")
    assert failing.count() == 1
    assert "HTTP 500" in failing.get().payload["content"]
    assert AuditEvent.objects.filter(action="inventory.pdu.failing").count() == 1

    pdu_sim.pdu.fault = ""
    with clock.frozen(T0 + timedelta(seconds=400)):
        assert pdu_readings_poll() == 1
    sim_pdu.refresh_from_db()
    assert (sim_pdu.failures, sim_pdu.retry_at, sim_pdu.failure_reported, sim_pdu.last_error) == (0, None, False, "")
    assert Notification.objects.filter(event="pdu_recovered").count() == 1


def test_the_password_comes_only_from_the_named_environment_variable(db, pdu_sim, monkeypatch):
    pdu = pdu_for(pdu_sim, password_env="LABSITE_UNSET_PDU_PASSWORD")
    monkeypatch.delenv("LABSITE_UNSET_PDU_PASSWORD", raising=False)
    with pytest.raises(PduPasswordMissing, match="set the environment variable LABSITE_UNSET_PDU_PASSWORD"):
        pdu_connect(pdu=pdu)
    assert not any(f.name == "password" for f in Pdu._meta.get_fields())


def test_the_worker_runs_the_power_jobs():
    from core import jobs

    assert {"inventory.pdu_readings_poll", "scheduler.power_schedule_apply"} <= set(jobs.jobs_registered())


def test_the_simulator_command_needs_its_password_variable(monkeypatch):
    from django.core.management import CommandError, call_command

    monkeypatch.delenv("LABSITE_UNSET_SIM_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="Set LABSITE_UNSET_SIM_PASSWORD"):
        call_command("pdu_simulator", "--password-env", "LABSITE_UNSET_SIM_PASSWORD")
