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

from core.statements import Columns, placeholders, rows, sql_once
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
    device_columns, type_columns = _lock_columns(tuple(fields) if fields else None)
    sql = sql_once(("device lock", fields and tuple(fields), len(ids), LOCKING_ENABLED), connection,
                   lambda c: _lock_sql(device_columns, type_columns, len(ids), LOCKING_ENABLED, c))
    found = {}
    width = len(device_columns)
    for row in rows(sql, ids, using=connection.alias):
        device = device_columns.instance(connection, row[:width])
        device.device_type = type_columns.instance(connection, row[width:])
        found[device.pk] = device
    return found


_COLUMNS: dict = {}


def _lock_columns(fields: tuple[str, ...] | None) -> tuple[Columns, Columns]:
    columns = _COLUMNS.get(fields)
    if columns is None:
        if fields is None:
            device_names, type_names = None, None
        else:
            device_names = {"id", "device_type_id"} | {f for f in fields if "__" not in f}
            type_names = {"id"} | {f.split("__", 1)[1] for f in fields if f.startswith("device_type__")}
        columns = _COLUMNS[fields] = (Columns(Device, "d", device_names), Columns(DeviceType, "t", type_names))
    return columns


def _lock_sql(device_columns: Columns, type_columns: Columns, count: int, lock: bool, connection) -> str:
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {device_columns.sql(connection)}, {type_columns.sql(connection)} "
        f"FROM {quote(Device._meta.db_table)} d INNER JOIN {quote(DeviceType._meta.db_table)} t "
        f"ON d.{quote(Device._meta.get_field('device_type').column)} = t.{quote(DeviceType._meta.pk.column)} "
        f"WHERE d.{quote(Device._meta.pk.column)} IN ({placeholders(count)}) ORDER BY d.{quote(Device._meta.pk.column)}"
    )
    if lock and connection.features.has_select_for_update:
        sql += " FOR UPDATE OF d" if connection.features.has_select_for_update_of else " FOR UPDATE"
    return sql


def race_window() -> None:
    """Called by services between their checks and their writes; sleeps only when the lock is off."""
    if not LOCKING_ENABLED and RACE_WINDOW_SECONDS:
        time.sleep(RACE_WINDOW_SECONDS)
