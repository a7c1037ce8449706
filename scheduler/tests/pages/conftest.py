"""Page test helpers: Django test clients signed in (sessions, like a browser) and a frozen clock."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from core import clock
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory

# Tuesday 1 Dec 2026, 09:00 UTC = 09:00 in Dublin (winter).
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def web(member):
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def other_web(other_member):
    client = Client()
    client.force_login(other_member)
    return client


@pytest.fixture
def roadm(db):
    device = DeviceFactory(name="ROADM 10", device_type=DeviceTypeFactory(name="ROADM", default_capacity=2))
    PortFactory(device=device, name="roadm_10_p2")
    PortFactory(device=device, name="roadm_10_line")
    return device


@pytest.fixture
def teraflex(db):
    device = DeviceFactory(name="TeraFlex 1", device_type=DeviceTypeFactory(name="TeraFlex", default_capacity=1))
    PortFactory(device=device, name="tf_1")
    return device
