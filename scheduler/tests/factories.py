"""Factories that write rows directly, for arranging a test's world. Behaviour goes through services."""

from datetime import timedelta

import factory

from core import clock
from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup, MaintenanceWindow


def _after_now(days: int, step: timedelta):
    """Start times on the hour grid, from `days` after the (possibly frozen) clock, `step` apart per row.

    Relative to clock.now() so a test with a frozen clock never gets a booking in its past by chance.
    """

    def start(n: int):
        base = clock.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=days)
        return base + step * (n % 500)

    return factory.Sequence(start)


class BookingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingGroup

    owner = factory.SubFactory(UserFactory)


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    group = factory.SubFactory(BookingGroupFactory)
    device = factory.SubFactory(DeviceFactory)
    start = _after_now(days=1, step=timedelta(hours=3))
    end = factory.LazyAttribute(lambda b: b.start + timedelta(hours=2))
    status = "pending"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """An active booking takes the lowest unit its device's overlapping active bookings leave free
        (as the services would; beyond the capacity when a test arranges overbooking on purpose)."""
        if kwargs.get("status", "pending") in ACTIVE_STATUSES and kwargs.get("unit") is None:
            used = set(Booking.objects.filter(device=kwargs["device"], status__in=ACTIVE_STATUSES, start__lt=kwargs["end"],
                                              end__gt=kwargs["start"]).values_list("unit", flat=True))
            kwargs["unit"] = next(u for u in range(1, len(used) + 2) if u not in used)
        return super()._create(model_class, *args, **kwargs)


class MaintenanceWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceWindow

    device = factory.SubFactory(DeviceFactory)
    start = _after_now(days=120, step=timedelta(hours=5))
    end = factory.LazyAttribute(lambda w: w.start + timedelta(hours=4))
