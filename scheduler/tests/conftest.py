"""Scheduler test helpers: a frozen clock, devices and a one-line booking request."""

from datetime import UTC, datetime, timedelta

import pytest

from core import clock
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory

# A Tuesday in winter: Dublin wall time equals UTC.
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def at(hour, minute=0, day=2, month=12, year=2026):
    """An aware UTC time on 2 Dec 2026 by default (the day after NOW)."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def now():
    with clock.frozen(NOW):
        yield NOW


@pytest.fixture
def roadm(db):
    return DeviceFactory(name="ROADM 3", device_type=DeviceTypeFactory(name="ROADM", default_capacity=2))


@pytest.fixture
def amp(db):
    return DeviceFactory(name="Amp 1", device_type=DeviceTypeFactory(name="Amplifier", default_capacity=2))


@pytest.fixture
def switch(db):
    """A device whose type needs no approval."""
    return DeviceFactory(name="Switch 1", device_type=DeviceTypeFactory(name="Switch", default_capacity=1,
                                                                         requires_approval=False))


def request_one(user, device, start, end, **kwargs):
    """Request one booking through the service and return it."""
    from scheduler.services.booking import booking_request

    group = booking_request(requester=user, items=[{"device": device, "start": start, "end": end}], **kwargs)
    return group.bookings.get()


def hours(n):
    return timedelta(hours=n)
