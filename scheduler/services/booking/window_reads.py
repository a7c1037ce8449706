"""What the checks read of some devices over a window, as SQL written once (core.statements).

- `active_bookings`: the active bookings that overlap [start, end), each with its session loaded; the
  rows of `Booking.objects.filter(device_id__in=ids, status__in=ACTIVE_STATUSES, start__lt=end,
  end__gt=start).select_related("group")`.
- `maintenance_windows`: the maintenance windows that overlap [start, end); the rows of
  `MaintenanceWindow.objects.filter(device_id__in=ids, start__lt=end, end__gt=start)`.

Both run on every booking change under the device lock; neither orders its rows (World sorts them).
"""

from datetime import datetime

from django.db import transaction

from core.statements import Columns, db_value, placeholders, rows
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup, MaintenanceWindow

_BOOKING = Columns(Booking, "b")
_GROUP = Columns(BookingGroup, "g")
_WINDOW = Columns(MaintenanceWindow, "w")
_STATUSES = [str(status) for status in ACTIVE_STATUSES]  # plain text, for any driver
_SQL: dict = {}


def active_bookings(device_ids: list[int], start: datetime, end: datetime) -> list[Booking]:
    connection = transaction.get_connection()
    if not device_ids:
        return []
    key = ("bookings", len(device_ids), connection.alias)
    sql = _SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        sql = _SQL[key] = (
            f"SELECT {_BOOKING.sql(connection)}, {_GROUP.sql(connection)} "
            f"FROM {quote(Booking._meta.db_table)} b INNER JOIN {quote(BookingGroup._meta.db_table)} g "
            f"ON {_BOOKING.column('group', connection)} = {_GROUP.column('id', connection)} "
            f"WHERE {_BOOKING.column('device', connection)} IN ({placeholders(len(device_ids))}) "
            f"AND {_BOOKING.column('status', connection)} IN ({placeholders(len(_STATUSES))}) "
            f"AND {_BOOKING.column('start', connection)} < %s AND {_BOOKING.column('end', connection)} > %s"
        )
    params = [*device_ids, *_STATUSES,
              db_value(Booking, "start", end, connection), db_value(Booking, "end", start, connection)]
    found = []
    width = len(_BOOKING)
    for row in rows(sql, params, using=connection.alias):
        booking = _BOOKING.instance(connection, row[:width])
        booking.group = _GROUP.instance(connection, row[width:])
        found.append(booking)
    return found


def maintenance_windows(device_ids: list[int], start: datetime, end: datetime) -> list[MaintenanceWindow]:
    connection = transaction.get_connection()
    if not device_ids:
        return []
    key = ("windows", len(device_ids), connection.alias)
    sql = _SQL.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        sql = _SQL[key] = (
            f"SELECT {_WINDOW.sql(connection)} FROM {quote(MaintenanceWindow._meta.db_table)} w "
            f"WHERE {_WINDOW.column('device', connection)} IN ({placeholders(len(device_ids))}) "
            f"AND {_WINDOW.column('start', connection)} < %s AND {_WINDOW.column('end', connection)} > %s"
        )
    params = [*device_ids, db_value(MaintenanceWindow, "start", end, connection),
              db_value(MaintenanceWindow, "end", start, connection)]
    return [_WINDOW.instance(connection, row) for row in rows(sql, params, using=connection.alias)]
