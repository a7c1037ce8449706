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

from core.statements import Columns, db_value, placeholders, rows, sql_once
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup, MaintenanceWindow

_BOOKING = Columns(Booking, "b")
_GROUP = Columns(BookingGroup, "g")
_WINDOW = Columns(MaintenanceWindow, "w")
_STATUSES = [str(status) for status in ACTIVE_STATUSES]  # plain text, for any driver


def active_bookings(device_ids: list[int], start: datetime, end: datetime) -> list[Booking]:
    if not device_ids:
        return []
    connection = transaction.get_connection()
    sql = sql_once(("active bookings", len(device_ids)), connection, lambda c: (
        f"SELECT {_BOOKING.sql(c)}, {_GROUP.sql(c)} "
        f"FROM {c.ops.quote_name(Booking._meta.db_table)} b INNER JOIN {c.ops.quote_name(BookingGroup._meta.db_table)} g "
        f"ON {_BOOKING.column('group', c)} = {_GROUP.column('id', c)} "
        f"WHERE {_BOOKING.column('device', c)} IN ({placeholders(len(device_ids))}) "
        f"AND {_BOOKING.column('status', c)} IN ({placeholders(len(_STATUSES))}) "
        f"AND {_BOOKING.column('start', c)} < %s AND {_BOOKING.column('end', c)} > %s"
    ))
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
    if not device_ids:
        return []
    connection = transaction.get_connection()
    sql = sql_once(("maintenance windows", len(device_ids)), connection, lambda c: (
        f"SELECT {_WINDOW.sql(c)} FROM {c.ops.quote_name(MaintenanceWindow._meta.db_table)} w "
        f"WHERE {_WINDOW.column('device', c)} IN ({placeholders(len(device_ids))}) "
        f"AND {_WINDOW.column('start', c)} < %s AND {_WINDOW.column('end', c)} > %s"
    ))
    params = [*device_ids, db_value(MaintenanceWindow, "start", end, connection),
              db_value(MaintenanceWindow, "end", start, connection)]
    return [_WINDOW.instance(connection, row) for row in rows(sql, params, using=connection.alias)]
