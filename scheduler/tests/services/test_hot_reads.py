"""The hand-written reads of the booking hot path (core.statements) against the querysets they replace.

Random labs of bookings (every status, windows touching, inside and around the asked window) and
maintenance windows: for random device sets and windows, `active_bookings`, `maintenance_windows`,
`devices_lock` and `BookingPolicy.load` must return the same rows, with the same field values, as
the ORM does, and their related objects must be loaded (no query when used).
"""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.tests.factories import UserFactory
from inventory.models import Device
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup, BookingPolicy, MaintenanceWindow
from scheduler.services import locking
from scheduler.services.booking import window_reads
from scheduler.services.booking.checks import CHECKED_DEVICE_FIELDS

T0 = datetime(2027, 3, 28, 0, 0, tzinfo=UTC)  # the spring clock change in Dublin is at 01:00 UTC
HOUR = timedelta(hours=1)


def _values(instance) -> dict:
    """The loaded (not deferred) field values of an instance."""
    deferred = instance.get_deferred_fields()
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in deferred}


@pytest.fixture
def lab(db):
    kinds = [DeviceTypeFactory(name="ROADM", default_capacity=2, requires_approval=True),
             DeviceTypeFactory(name="Fibre", default_capacity=1, is_schedulable=True, requires_approval=False)]
    devices = [DeviceFactory(name=f"dev-{i}", device_type=kinds[i % 2], capacity=i if i % 3 else None) for i in range(4)]
    owners = [UserFactory(username="ada"), UserFactory(username="bob")]
    groups = [BookingGroup.objects.create(owner=owner, message=f"msg {owner.username}") for owner in owners]
    return devices, groups


rows = st.lists(st.tuples(st.integers(0, 3), st.integers(-6, 6), st.integers(1, 5), st.sampled_from(list(BookingStatus)),
                          st.integers(0, 1)), max_size=12)
asks = st.tuples(st.lists(st.integers(0, 3), min_size=1, max_size=4, unique=True), st.integers(-6, 6), st.integers(1, 6))


def test_active_bookings_and_windows_are_the_querysets_rows(lab, django_assert_num_queries):
    devices, groups = lab

    @hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(bookings=rows, windows=rows, ask=asks)
    def check(bookings, windows, ask):
        with transaction.atomic():
            Booking.objects.bulk_create([
                Booking(group=groups[owner], device=devices[d], start=T0 + HOUR * s, end=T0 + HOUR * (s + n), status=status,
                        unit=k + 1 if status in ACTIVE_STATUSES else None)  # distinct units: PostgreSQL's exclusion holds
                for k, (d, s, n, status, owner) in enumerate(bookings)])
            MaintenanceWindow.objects.bulk_create([
                MaintenanceWindow(device=devices[d], start=T0 + HOUR * s, end=T0 + HOUR * (s + n), reason=str(status))
                for d, s, n, status, _ in windows])
            ids = [devices[i].pk for i in ask[0]]
            start, end = T0 + HOUR * ask[1], T0 + HOUR * (ask[1] + ask[2])

            expected = {b.pk: b for b in Booking.objects.filter(device_id__in=ids, status__in=ACTIVE_STATUSES, start__lt=end,
                                                                end__gt=start).select_related("group")}
            with django_assert_num_queries(1):
                found = window_reads.active_bookings(ids, start, end)
                owners = [b.group.owner_id for b in found] and [b.group.message for b in found]
            assert owners is not None
            assert {b.pk: _values(b) for b in found} == {pk: _values(b) for pk, b in expected.items()}
            assert {b.pk: _values(b.group) for b in found} == {pk: _values(b.group) for pk, b in expected.items()}
            assert all(b.start.tzinfo is not None and not b._state.adding for b in found)

            expected_windows = MaintenanceWindow.objects.filter(device_id__in=ids, start__lt=end, end__gt=start)
            found_windows = window_reads.maintenance_windows(ids, start, end)
            assert {w.pk: _values(w) for w in found_windows} == {w.pk: _values(w) for w in expected_windows}
            transaction.set_rollback(True)

    check()


@pytest.mark.parametrize("fields", [CHECKED_DEVICE_FIELDS, None], ids=["checked-fields", "all-fields"])
def test_devices_lock_reads_what_the_queryset_reads(lab, django_assert_num_queries, fields):
    devices, _ = lab
    ids = [devices[3].pk, devices[0].pk, devices[3].pk, devices[1].pk, 10**9]
    queryset = Device.objects.select_related("device_type").filter(pk__in=ids).order_by("pk")
    if fields:
        queryset = queryset.only(*fields)
    with transaction.atomic():
        with django_assert_num_queries(1):
            locked = locking.devices_lock(ids, fields=fields)
            bookable = [(d.is_bookable, d.effective_capacity, d.device_type.requires_approval) for d in locked.values()]
        expected = list(queryset)
    assert list(locked) == [d.pk for d in expected]  # in id order; unknown ids are absent
    assert [_values(d) for d in locked.values()] == [_values(d) for d in expected]
    assert [_values(d.device_type) for d in locked.values()] == [_values(d.device_type) for d in expected]
    assert bookable == [(d.is_bookable, d.effective_capacity, d.device_type.requires_approval) for d in expected]
    assert locked[devices[0].pk].get_deferred_fields() == expected[0].get_deferred_fields()


def test_policy_load_reads_the_row_and_creates_it_once(db, django_assert_num_queries):
    BookingPolicy.objects.all().delete()
    created = BookingPolicy.load()
    assert BookingPolicy.objects.count() == 1
    created.slot_minutes, created.max_active_bookings_per_user = 15, 7
    created.save()
    with django_assert_num_queries(1):
        loaded = BookingPolicy.load()
    assert _values(loaded) == _values(BookingPolicy.objects.get(pk=1))
    assert loaded.max_duration == created.max_duration and loaded.slot_minutes == 15
