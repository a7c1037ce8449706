"""The database's own guard against overbooking: the exclusion constraint on units (PostgreSQL only)."""

import importlib

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction

from core.tests.factories import UserFactory
from scheduler.choices import BookingStatus as S
from scheduler.models import Booking
from scheduler.services.booking import units
from scheduler.tests.conftest import at, request_one
from scheduler.tests.factories import BookingFactory, BookingGroupFactory

pytestmark = pytest.mark.usefixtures("now")

def postgres_only(test):
    test = pytest.mark.postgres_only(test)
    return pytest.mark.skipif(connection.vendor != "postgresql", reason="exclusion constraints are PostgreSQL's")(test)


def _row(device, start, end, unit, status=S.CONFIRMED):
    return Booking(group=BookingGroupFactory(), device=device, start=start, end=end, status=status, unit=unit)


@postgres_only
def test_two_overlapping_active_bookings_cannot_hold_one_unit(roadm):
    _row(roadm, at(10), at(12), 1).save()
    with pytest.raises(IntegrityError, match="scheduler_booking_unit_exclusive"), transaction.atomic():
        _row(roadm, at(11), at(13), 1, status=S.PENDING).save()
    _row(roadm, at(11), at(13), 2).save()  # another unit
    _row(roadm, at(12), at(14), 1).save()  # back to back on the same unit
    _row(roadm, at(10), at(12), 1, status=S.CANCELLED).save()  # not active: holds nothing
    assert Booking.objects.count() == 4


@postgres_only
def test_a_constraint_violation_is_a_409_naming_the_device(member, roadm, client_for, monkeypatch):
    """A planner that hands out a taken unit (as two writers without the lock would): 409, never 500."""
    request_one(member, roadm, at(10), at(12))
    monkeypatch.setattr(units, "_lowest_free", lambda *args, **kwargs: 1)
    response = client_for(UserFactory(username="carol")).post(
        "/api/scheduler/bookings/", {"device": roadm.pk, "start": at(11).isoformat(), "end": at(13).isoformat()},
        format="json")
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["conflicts"][0]["reason"] == "capacity"
    assert body["conflicts"][0]["device_name"] == "ROADM 3"
    assert "ROADM 3 was fully booked" in body["conflicts"][0]["message"]
    assert Booking.objects.count() == 1


def test_the_migration_numbers_stored_bookings_by_start(roadm, amp):
    """0003_booking_unit gives each active booking the lowest unit free at its start, per device."""
    migration = importlib.import_module("scheduler.migrations.0003_booking_unit")
    rows = [BookingFactory(device=roadm, start=at(h), end=at(h + 3), status=S.CONFIRMED, unit=100 + h)
            for h in (8, 9, 10, 11, 12)]
    other = BookingFactory(device=amp, start=at(8), end=at(9), status=S.PENDING, unit=7)
    migration.give_units(apps, None)
    assert [Booking.objects.get(pk=r.pk).unit for r in rows] == [1, 2, 3, 1, 2]
    assert Booking.objects.get(pk=other.pk).unit == 1
