"""Booked seconds summed in the database, per group key, status bucket and time cell.

One statement, whatever the number of bookings: the cells (time windows) and the holes (spans in
which a device could not be booked, see `calendar.py`) go in as VALUES lists, bookings are joined
to the cells they overlap, and the parts of bookings that fall into holes are subtracted, so a
booking cut by maintenance or running past a device's retirement only counts its bookable part.
Holes of one device are disjoint, so nothing is subtracted twice.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from django.db import connection

from inventory.models import Device
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking

Span = tuple[datetime, datetime]
CONFIRMED, UNDECIDED = "confirmed", "pending"

# The column each report groups by (b: the booking, d: its device).
KEYS = {"device": "b.device_id", "type": "d.device_type_id", "site": "d.site_id"}


def _seconds_between(later: str, earlier: str) -> str:
    """SQL for the whole seconds from `earlier` to `later` (both timestamp expressions)."""
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"(CAST(strftime('%%s', {later}) AS INTEGER) - CAST(strftime('%%s', {earlier}) AS INTEGER))"


def _least(*args: str) -> str:
    return f"{'LEAST' if connection.vendor == 'postgresql' else 'MIN'}({', '.join(args)})"


def _greatest(*args: str) -> str:
    return f"{'GREATEST' if connection.vendor == 'postgresql' else 'MAX'}({', '.join(args)})"


def _moment(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _values(rows: Sequence[tuple], casts: Sequence[str]) -> tuple[str, list]:
    """A VALUES list with one placeholder per value (cast on PostgreSQL so the column types are known)."""
    pg = connection.vendor == "postgresql"
    row_sql = "(" + ", ".join(f"CAST(%s AS {c})" if pg else "%s" for c in casts) + ")"
    params = []
    for row in rows:
        params += [_moment(v) if isinstance(v, datetime) else v for v in row]
    return ", ".join([row_sql] * len(rows)), params


def booked_seconds(*, cells: Sequence[Span], holes: Sequence[tuple[int, datetime, datetime]] = (),
                   key: str = "device", device_ids: Sequence[int] | None = None) -> dict[tuple, float]:
    """{(key value, bucket, cell index): seconds} of active bookings inside each cell, minus holes.

    `bucket` is "confirmed" or "pending" (pending and conflicting: undecided requests). Shared
    bookings each count their own time (capacity is the denominator's business).
    """
    if not cells:
        return {}
    booking = connection.ops.quote_name(Booking._meta.db_table)
    device = connection.ops.quote_name(Device._meta.db_table)
    start, end = connection.ops.quote_name("start"), connection.ops.quote_name("end")
    cell_values, cell_params = _values([(i, s, e) for i, (s, e) in enumerate(cells)], ("integer", "timestamptz", "timestamptz"))
    hull = (min(s for s, _ in cells), max(e for _, e in cells))
    statuses = list(ACTIVE_STATUSES)
    status_sql = ", ".join(["%s"] * len(statuses))
    where = f"b.status IN ({status_sql}) AND b.{start} < %s AND b.{end} > %s"
    where_params = [*statuses, _moment(hull[1]), _moment(hull[0])]
    if device_ids is not None:
        if not device_ids:
            return {}
        where += f" AND b.device_id IN ({', '.join(['%s'] * len(device_ids))})"
        where_params += list(device_ids)
    bucket = f"CASE WHEN b.status = %s THEN '{CONFIRMED}' ELSE '{UNDECIDED}' END"
    join_device = f"JOIN {device} d ON d.id = b.device_id" if key != "device" else ""
    column_out = KEYS[key]
    # The bookings of the period first (an index range), so each is matched against the cells once.
    cte = [f"cells (idx, cs, ce) AS (VALUES {cell_values})",
           f"bk AS MATERIALIZED (SELECT b.device_id AS device_id, {column_out} AS k, b.{start} AS bs, b.{end} AS be, "
           f"{bucket} AS bucket FROM {booking} b {join_device} WHERE {where})"]
    params = [*cell_params, BookingStatus.CONFIRMED, *where_params]
    booked = _seconds_between(_least("bk.be", "c.ce"), _greatest("bk.bs", "c.cs"))
    parts = [
        f"SELECT bk.k AS k, bk.bucket AS bucket, c.idx AS idx, SUM({booked}) AS secs "
        f"FROM bk JOIN cells c ON bk.bs < c.ce AND bk.be > c.cs GROUP BY 1, 2, 3"
    ]
    if holes:
        hole_values, hole_params = _values(holes, ("bigint", "timestamptz", "timestamptz"))
        cte.insert(1, f"holes (device_id, hs, he) AS (VALUES {hole_values})")
        params = [*cell_params, *hole_params, BookingStatus.CONFIRMED, *where_params]
        # Three intervals that overlap pairwise share a common part (intervals on a line).
        cut = _seconds_between(_least("bk.be", "c.ce", "h.he"), _greatest("bk.bs", "c.cs", "h.hs"))
        parts.append(
            f"SELECT bk.k AS k, bk.bucket AS bucket, c.idx AS idx, -SUM({cut}) AS secs "
            f"FROM bk JOIN holes h ON h.device_id = bk.device_id AND bk.bs < h.he AND bk.be > h.hs "
            f"JOIN cells c ON bk.bs < c.ce AND bk.be > c.cs AND h.hs < c.ce AND h.he > c.cs GROUP BY 1, 2, 3"
        )
    sql = f"WITH {', '.join(cte)} " + " UNION ALL ".join(parts)
    totals: dict[tuple, float] = defaultdict(float)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for k, bucket_value, idx, secs in cursor.fetchall():
            totals[(k, bucket_value, idx)] += float(secs or 0)
    return dict(totals)
