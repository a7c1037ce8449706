"""The one lock every booking change takes: the rows of the devices it touches, in id order.

Locking the device rows (not the bookings) serialises every change that could affect a device's
capacity, including inserts, which row locks on bookings could not cover. Sorting the ids means
two transactions that touch the same devices always queue in the same order and cannot deadlock.
On SQLite the settings open IMMEDIATE transactions, which take the database write lock at BEGIN,
so the SELECT ... FOR UPDATE (a no-op there) is not needed.
"""

import functools
import time
from collections.abc import Iterable, Sequence

from django.db import transaction

from core.statements import Columns, Joined, placeholders, sql_once
from inventory.models import Device, DeviceType

# Tests switch this off to show that the race is real without the lock.
LOCKING_ENABLED = True
# Seconds to sleep inside the critical section while LOCKING_ENABLED is off (tests only): widens
# the window between "read the bookings" and "write the booking" so the race shows reliably.
RACE_WINDOW_SECONDS = 0.0


def devices_lock(device_ids: Iterable[int], *, fields: Sequence[str] | None = None) -> dict[int, Device]:
    """Lock the devices' rows until the transaction ends; return them by id (with their type).

    `fields` (e.g. "name", "device_type__name") loads only those columns: fewer to build on a hot path;
    any other field is read from the database when first used.

    The read is the SQL a `select_related("device_type").filter(pk__in=ids).order_by("pk")
    .select_for_update(of=("self",))` queryset sends, written once per shape (core.statements): every
    booking change runs it, and building it in the ORM cost more than the database spent on it.
    """
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("devices_lock() must be called inside transaction.atomic()")
    ids = sorted({int(pk) for pk in device_ids})
    if not ids:
        return {}
    devices = _locked_columns(tuple(fields) if fields else None)
    sql = sql_once(("device lock", devices, len(ids), LOCKING_ENABLED), connection,
                   lambda c: _lock_sql(devices, len(ids), LOCKING_ENABLED, c))
    return {device.pk: device for device in devices.read(connection, sql, ids)}


@functools.cache
def _locked_columns(fields: tuple[str, ...] | None) -> Joined:
    """The device columns `fields` names (all when None) with the type's, read by the lock."""
    device_names = type_names = None
    if fields is not None:
        device_names = {"id", "device_type_id"} | {f for f in fields if "__" not in f}
        type_names = {"id"} | {f.split("__", 1)[1] for f in fields if f.startswith("device_type__")}
    return Joined(Columns(Device, "d", device_names), "device_type", Columns(DeviceType, "t", type_names))


def _lock_sql(devices: Joined, count: int, lock: bool, connection) -> str:
    pk = devices.columns.column("id", connection)
    sql = f"{devices.select_from(connection)} WHERE {pk} IN ({placeholders(count)}) ORDER BY {pk}"
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF d" if connection.features.has_select_for_update_of else " FOR UPDATE"
    return sql


def race_window() -> None:
    """Called by services between their checks and their writes; sleeps only when the lock is off."""
    if not LOCKING_ENABLED and RACE_WINDOW_SECONDS:
        time.sleep(RACE_WINDOW_SECONDS)
