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

from core.statements import Columns, Joined, db_value, placeholders, sql_once
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup, MaintenanceWindow

_BOOKINGS = Joined(Columns(Booking, "b"), "group", Columns(BookingGroup, "g"))
_WINDOWS = Columns(MaintenanceWindow, "w")
_STATUSES = [str(status) for status in ACTIVE_STATUSES]  # plain text, for any driver


def active_bookings(device_ids: list[int], start: datetime, end: datetime) -> list[Booking]:
    if not device_ids:
        return []
    connection = transaction.get_connection()
    columns = _BOOKINGS.columns
    sql = sql_once(("active bookings", len(device_ids)), connection, lambda c: (
        f"{_BOOKINGS.select_from(c)} {_overlapping(columns, len(device_ids), c)} "
        f"AND {columns.column('status', c)} IN ({placeholders(len(_STATUSES))})"
    ))
    return _BOOKINGS.read(connection, sql, [*_overlap_params(Booking, device_ids, start, end, connection), *_STATUSES])


def maintenance_windows(device_ids: list[int], start: datetime, end: datetime) -> list[MaintenanceWindow]:
    if not device_ids:
        return []
    connection = transaction.get_connection()
    sql = sql_once(("maintenance windows", len(device_ids)), connection,
                   lambda c: f"{_WINDOWS.select_from(c)} {_overlapping(_WINDOWS, len(device_ids), c)}")
    return _WINDOWS.read(connection, sql, _overlap_params(MaintenanceWindow, device_ids, start, end, connection))


def _overlapping(columns: Columns, count: int, connection) -> str:
    """Rows of `count` devices whose [start, end) overlaps the window's: start < its end, end > its start."""
    return (f"WHERE {columns.column('device', connection)} IN ({placeholders(count)}) "
            f"AND {columns.column('start', connection)} < %s AND {columns.column('end', connection)} > %s")


def _overlap_params(model, device_ids: list[int], start: datetime, end: datetime, connection) -> list:
    return [*device_ids, db_value(model, "start", end, connection), db_value(model, "end", start, connection)]
