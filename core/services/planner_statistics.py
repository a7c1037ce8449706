"""Table statistics for SQLite's query planner, refreshed by the worker once a day.

SQLite chooses between indexes with the statistics that only ANALYZE writes (sqlite_stat1). A
database that was never analysed leaves it guessing: for a window query over many devices it took
the (status, end) index and read every active row ending after the window's start, ~6 ms on a lab
of 30,000 rows, where the (device, start, end) index reads ~0.3 ms. PostgreSQL's autovacuum keeps
its own statistics, so there this does nothing.

ANALYZE holds SQLite's write lock while it reads the tables (~60 ms for 30,000 rows); once a day,
writers simply wait that long. The worker's first pass analyses at once, so a new or restored
database is planned well from the start.
"""

from datetime import datetime, timedelta

from django.db import connection

EVERY = timedelta(days=1)
_last_run: dict[str, datetime] = {}


def planner_statistics_refresh(*, now: datetime) -> int:
    """ANALYZE the SQLite database when this process has not done so in the last day; 1 if it ran."""
    if connection.vendor != "sqlite":
        return 0
    alias = connection.alias
    last = _last_run.get(alias)
    if last is not None and now - last < EVERY:
        return 0
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _last_run[alias] = now
    return 1
