"""Factories that write rows directly, for arranging a test's world. Behaviour goes through services."""

from datetime import UTC, timedelta

import factory

from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory
from scheduler.models import Booking, BookingGroup, MaintenanceWindow


class BookingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookingGroup

    owner = factory.SubFactory(UserFactory)


class BookingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Booking

    group = factory.SubFactory(BookingGroupFactory)
    device = factory.SubFactory(DeviceFactory)
    start = factory.Faker("future_datetime", tzinfo=UTC)
    end = factory.LazyAttribute(lambda b: b.start + timedelta(hours=2))
    status = "pending"


class MaintenanceWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceWindow

    device = factory.SubFactory(DeviceFactory)
    start = factory.Faker("future_datetime", tzinfo=UTC)
    end = factory.LazyAttribute(lambda w: w.start + timedelta(hours=4))
