"""The worker's daily ANALYZE of SQLite (core.services.planner_statistics)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core import jobs
from core.models import User
from core.services import planner_statistics
from core.services.planner_statistics import planner_statistics_refresh


@pytest.fixture(autouse=True)
def fresh_process(monkeypatch):
    monkeypatch.setattr(planner_statistics, "_last_run", {})


def stat_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone()[0]:
            return []
        cursor.execute("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchall()


def test_the_worker_runs_it():
    assert jobs.jobs_registered()["core.planner_statistics_refresh"] is planner_statistics_refresh


@pytest.mark.django_db
def test_sqlite_is_analysed_once_a_day():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's statistics; PostgreSQL keeps its own")
    User.objects.bulk_create([User(username=f"member{n}", username_key=f"member{n}") for n in range(30)])
    table = User._meta.db_table
    now = timezone.now()
    assert planner_statistics_refresh(now=now) == 1
    stats = dict(stat_rows(table))
    # Each index of the table has its row count and rows per key: 30 users, usernames unique.
    username_index = next(idx for idx in stats if "username" in idx)
    assert stats[username_index].split()[:2] == ["30", "1"]

    User.objects.bulk_create([User(username=f"late{n}", username_key=f"late{n}") for n in range(30)])
    assert planner_statistics_refresh(now=now + timedelta(hours=23)) == 0
    assert dict(stat_rows(table))[username_index].split()[0] == "30"  # not yet again
    assert planner_statistics_refresh(now=now + timedelta(days=1)) == 1
    assert dict(stat_rows(table))[username_index].split()[0] == "60"


@pytest.mark.django_db
def test_postgresql_is_left_to_autovacuum():
    if connection.vendor == "sqlite":
        pytest.skip("PostgreSQL only")
    assert planner_statistics_refresh(now=timezone.now()) == 0
