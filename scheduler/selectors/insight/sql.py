"""Booked seconds summed in the database, per group key, status bucket and time cell.

One statement, whatever the number of bookings: the cells (time windows) and the holes (spans in
which a device could not be booked, see `calendar.py`) go in as VALUES lists, the bookings of the
period are read once (an index range on start/end) with their times as epoch seconds, matched to
the cells they overlap with integer comparisons, and the parts that fall into holes are
subtracted, so a booking cut by maintenance or running past a device's retirement only counts its
bookable part. Holes of one device are disjoint, so nothing is subtracted twice.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from django.db import connection

from inventory.models import Device
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking

Span = tuple[datetime, datetime]
CONFIRMED, UNDECIDED = "confirmed", "pending"

# The column each report groups by (b: the booking, d: its device).
KEYS = {"device": "b.device_id", "type": "d.device_type_id", "site": "d.site_id"}


def _epoch(column: str) -> str:
    """SQL for a timestamp column as whole seconds since 1970 (UTC)."""
    if connection.vendor == "postgresql":
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS BIGINT)"
    return f"CAST(strftime('%%s', {column}) AS INTEGER)"


def _least(*args: str) -> str:
    return f"{'LEAST' if connection.vendor == 'postgresql' else 'MIN'}({', '.join(args)})"


def _greatest(*args: str) -> str:
    return f"{'GREATEST' if connection.vendor == 'postgresql' else 'MAX'}({', '.join(args)})"


def _seconds(value: datetime) -> int:
    return int(value.astimezone(UTC).timestamp())


def _values(rows: Sequence[tuple[int, int, int]]) -> tuple[str, list]:
    """A VALUES list of integer triples (cast on PostgreSQL so the column types are known)."""
    cell = "(CAST(%s AS BIGINT), CAST(%s AS BIGINT), CAST(%s AS BIGINT))" if connection.vendor == "postgresql" else "(%s, %s, %s)"
    return ", ".join([cell] * len(rows)), [v for row in rows for v in row]


def booked_seconds(*, cells: Sequence[Span], holes: Sequence[tuple[int, datetime, datetime]] = (),
                   key: str = "device", device_ids: Sequence[int] | None = None,
                   cells_per_day: int | None = None) -> dict[tuple, float]:
    """{(key value, bucket, cell index): seconds} of active bookings inside each cell, minus holes.

    `bucket` is "confirmed" or "pending" (pending and conflicting: undecided requests). Shared
    bookings each count their own time (capacity is the denominator's business).

    `cells_per_day`: the cells are consecutive lab days of that many cells each, from cells[0]. Each
    booking is then matched only with the cells of the days it may touch (an equality join on the
    cell index) instead of with every cell: the day is worked out from the seconds since the first
    cell, give or take one day for the clock changes.
    """
    if not cells or (device_ids is not None and not device_ids):
        return {}
    booking = connection.ops.quote_name(Booking._meta.db_table)
    device = connection.ops.quote_name(Device._meta.db_table)
    start, end = connection.ops.quote_name("start"), connection.ops.quote_name("end")
    cell_values, cell_params = _values([(i, _seconds(s), _seconds(e)) for i, (s, e) in enumerate(cells)])
    hull = (min(s for s, _ in cells), max(e for _, e in cells))
    statuses = list(ACTIVE_STATUSES)
    where = f"b.status IN ({', '.join(['%s'] * len(statuses))}) AND b.{start} < %s AND b.{end} > %s"
    where_params = [*statuses, connection.ops.adapt_datetimefield_value(hull[1]),
                    connection.ops.adapt_datetimefield_value(hull[0])]
    if device_ids is not None:
        where += f" AND b.device_id IN ({', '.join(['%s'] * len(device_ids))})"
        where_params += list(device_ids)
    bucket = f"CASE WHEN b.status = %s THEN '{CONFIRMED}' ELSE '{UNDECIDED}' END"
    join_device = f"JOIN {device} d ON d.id = b.device_id" if key != "device" else ""
    ctes = [f"cells (idx, cs, ce) AS (VALUES {cell_values})"]
    params = list(cell_params)
    if holes:
        hole_values, hole_params = _values([(pk, _seconds(s), _seconds(e)) for pk, s, e in holes])
        ctes.append(f"holes (device_id, hs, he) AS (VALUES {hole_values})")
        params += hole_params
    # The period's bookings once, as integers: every comparison below is on numbers, not timestamps.
    ctes.append(f"bk AS MATERIALIZED (SELECT b.device_id AS device_id, {KEYS[key]} AS k, {_epoch('b.' + start)} AS bs, "
                f"{_epoch('b.' + end)} AS be, {bucket} AS bucket FROM {booking} b {join_device} WHERE {where})")
    params += [BookingStatus.CONFIRMED, *where_params]
    match = "JOIN cells c ON bk.bs < c.ce AND bk.be > c.cs"
    if cells_per_day:
        origin, per, last = _seconds(cells[0][0]), cells_per_day, len(cells) - 1
        first_day = f"((bk.bs - {origin}) / 86400)"
        last_day = f"((bk.be - {origin}) / 86400)"
        lo = _greatest("0", f"({first_day} - 1) * {per}")
        hi = _least(str(last), f"({last_day} + 2) * {per} - 1")
        ctes.append(f"span AS MATERIALIZED (SELECT bk.*, {lo} AS lo, {hi} AS hi FROM bk)")
        ctes.append("offsets (o) AS (SELECT 0 UNION ALL SELECT o + 1 FROM offsets WHERE o < (SELECT MAX(hi - lo) FROM span))")
        match = ("JOIN offsets ON offsets.o <= bk.hi - bk.lo JOIN cells c ON c.idx = bk.lo + offsets.o "
                 "AND bk.bs < c.ce AND bk.be > c.cs")
    source = "span bk" if cells_per_day else "bk"
    parts = [
        f"SELECT bk.k, bk.bucket, c.idx, SUM({_least('bk.be', 'c.ce')} - {_greatest('bk.bs', 'c.cs')}) "
        f"FROM {source} {match} GROUP BY 1, 2, 3"
    ]
    if holes:
        # Three intervals that overlap pairwise share a common part (intervals on a line).
        parts.append(
            f"SELECT bk.k, bk.bucket, c.idx, -SUM({_least('bk.be', 'c.ce', 'h.he')} - {_greatest('bk.bs', 'c.cs', 'h.hs')}) "
            f"FROM bk JOIN holes h ON h.device_id = bk.device_id AND bk.bs < h.he AND bk.be > h.hs "
            f"JOIN cells c ON bk.bs < c.ce AND bk.be > c.cs AND h.hs < c.ce AND h.he > c.cs GROUP BY 1, 2, 3"
        )
    sql = f"WITH {'RECURSIVE ' if cells_per_day else ''}{', '.join(ctes)} " + " UNION ALL ".join(parts)
    totals: dict[tuple, float] = defaultdict(float)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for k, bucket_value, idx, secs in cursor.fetchall():
            totals[(k, bucket_value, idx)] += float(secs or 0)
    return dict(totals)
