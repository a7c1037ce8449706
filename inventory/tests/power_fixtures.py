"""Fixtures for power-control tests: simulated PDUs on 127.0.0.1 (a free port each) and their records.

Imported by the conftest of each app whose tests need them.
"""

import pytest

from inventory.pdu_simulator import PduSimulatorServer
from inventory.tests.factories import OutletFactory, PduFactory

PASSWORD_ENV = "LABSITE_TEST_PDU_PASSWORD"
PASSWORD = "sim-secret-password"


@pytest.fixture
def pdu_password(monkeypatch, settings):
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    settings.PDU_TIMEOUT = 1.0
    return PASSWORD


@pytest.fixture
def pdu_sim(pdu_password):
    """A running 16-outlet simulator; `.pdu` is its state (faults, calls)."""
    with PduSimulatorServer(password=PASSWORD) as server:
        yield server


@pytest.fixture
def make_sim(pdu_password):
    """Start more simulators: make_sim(outlets=8)."""
    servers = []

    def make(**kwargs):
        server = PduSimulatorServer(password=PASSWORD, **kwargs).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def pdu_for(server, **kwargs):
    """A PDU record pointing at a simulator."""
    return PduFactory(**({"host": server.host, "port": server.port, "scheme": server.scheme,
                          "password_env": PASSWORD_ENV} | kwargs))


@pytest.fixture
def sim_pdu(db, pdu_sim):
    return pdu_for(pdu_sim)


@pytest.fixture
def sim_outlet(sim_pdu):
    """Outlet 3 of the simulated PDU, powering a device, in manual mode."""
    return OutletFactory(pdu=sim_pdu, number=3, name="bench 3")
