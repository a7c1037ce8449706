"""demo_bookings_create."""

import pytest

from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus as S
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup, MaintenanceWindow
from scheduler.services.demo import demo_bookings_create
from scheduler.tests.conftest import NOW


@pytest.fixture
def demo_lab(db, manager):
    for name in ("alice", "bob", "carol"):
        UserFactory(username=name)
    kind = DeviceTypeFactory(name="ROADM", default_capacity=2)
    return [DeviceFactory(name=f"ROADM {i}", device_type=kind) for i in range(8)]


def test_demo_is_lively_valid_and_idempotent(demo_lab):
    """Demo bookings cover every status and a shared session, respect the rules, and are created once."""
    created = demo_bookings_create(now=NOW)
    assert created > 30
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert {S.CONFIRMED, S.PENDING, S.CONFLICTING} <= statuses
    assert BookingGroup.objects.filter(collaborators__isnull=False).exists()
    assert BookingGroup.objects.filter(bookings__device__isnull=False).distinct().count() >= 10
    assert MaintenanceWindow.objects.count() == 1
    window = MaintenanceWindow.objects.get()
    for device in demo_lab:
        active = list(Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES).select_related("group"))
        for booking in active:
            others = [(o.start, o.end) for o in active if o.pk != booking.pk]
            assert rules.depth_with(booking.start, booking.end, others) <= 2
            assert not any(o.group.owner_id == booking.group.owner_id and o.pk != booking.pk
                           and rules.overlaps(o.start, o.end, booking.start, booking.end) for o in active)
            if device == window.device:
                assert not rules.overlaps(window.start, window.end, booking.start, booking.end)
    assert not Booking.objects.filter(status__in=[S.PENDING, S.CONFLICTING], end__lte=NOW).exists()
    assert demo_bookings_create(now=NOW) == 0
    assert Booking.objects.count() == created


def test_demo_is_deterministic(demo_lab):
    """The same day gives the same bookings."""
    demo_bookings_create(now=NOW)
    first = sorted((b.device.name, b.start, b.status) for b in Booking.objects.select_related("device"))
    Booking.objects.all().delete()
    BookingGroup.objects.all().delete()
    MaintenanceWindow.objects.all().delete()
    demo_bookings_create(now=NOW)
    assert sorted((b.device.name, b.start, b.status) for b in Booking.objects.select_related("device")) == first


def test_demo_skips_without_a_lab(db):
    """Without the demo users and devices nothing is created."""
    assert demo_bookings_create(now=NOW) == 0


def test_demo_on_the_init_db_lab(db):
    """`init_db --demo` fills the schedule with demo bookings; running the builder again adds none."""
    from io import StringIO

    from django.core.management import call_command

    call_command("init_db", "--demo", stdout=StringIO())
    assert Booking.objects.count() > 30
    assert demo_bookings_create(now=NOW) == 0
    assert Booking.objects.filter(status=S.CONFLICTING).exists()
    assert Booking.objects.filter(decided_by__isnull=False).exists()
