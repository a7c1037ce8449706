import pytest

from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, OutletFactory
from inventory.tests.power_fixtures import make_sim, pdu_password, pdu_sim, sim_pdu  # noqa: F401
from scheduler.tests.factories import BookingFactory, BookingGroupFactory


@pytest.fixture
def roadm_outlet(sim_pdu):  # noqa: F811 - the fixture imported above
    """Outlet 3 of the simulated PDU powers ROADM 7 (manual mode)."""
    roadm = DeviceFactory(name="ROADM 7", device_type=DeviceTypeFactory(name="ROADM", default_capacity=2))
    return OutletFactory(pdu=sim_pdu, number=3, name="roadm 7 psu", device=roadm)


@pytest.fixture
def hold():
    """hold(user, device, start, end, collaborators=()) → a confirmed booking."""

    def make(user, device, start, end, collaborators=(), status="confirmed"):
        group = BookingGroupFactory(owner=user)
        if collaborators:
            group.collaborators.set(collaborators)
        return BookingFactory(group=group, device=device, start=start, end=end, status=status)

    return make
