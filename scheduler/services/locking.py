"""The one lock every booking change takes: the rows of the devices it touches, in id order.

Locking the device rows (not the bookings) serialises every change that could affect a device's
capacity, including inserts, which row locks on bookings could not cover. Sorting the ids means
two transactions that touch the same devices always queue in the same order and cannot deadlock.
On SQLite the settings open IMMEDIATE transactions, which take the database write lock at BEGIN,
so the SELECT ... FOR UPDATE (a no-op there) is not needed.
"""

import time
from collections.abc import Iterable, Sequence

from django.db import transaction

from inventory.models import Device

# Tests switch this off to show that the race is real without the lock.
LOCKING_ENABLED = True
# Seconds to sleep inside the critical section while LOCKING_ENABLED is off (tests only): widens
# the window between "read the bookings" and "write the booking" so the race shows reliably.
RACE_WINDOW_SECONDS = 0.0


def devices_lock(device_ids: Iterable[int], *, fields: Sequence[str] | None = None) -> dict[int, Device]:
    """Lock the devices' rows until the transaction ends; return them by id (with their type).

    `fields` (e.g. "name", "device_type__name") loads only those columns: fewer to build on a hot path;
    any other field is read from the database when first used.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("devices_lock() must be called inside transaction.atomic()")
    ids = sorted(set(device_ids))
    queryset = Device.objects.select_related("device_type").filter(pk__in=ids).order_by("pk")
    if fields:
        queryset = queryset.only(*fields)
    if LOCKING_ENABLED:
        queryset = queryset.select_for_update(of=("self",))
    return {device.pk: device for device in queryset}


def race_window() -> None:
    """Called by services between their checks and their writes; sleeps only when the lock is off."""
    if not LOCKING_ENABLED and RACE_WINDOW_SECONDS:
        time.sleep(RACE_WINDOW_SECONDS)
