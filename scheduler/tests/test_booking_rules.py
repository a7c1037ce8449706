"""The pure rules: no database."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus as S

DUBLIN = ZoneInfo("Europe/Dublin")


def h(hour, minute=0, day=1):
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_back_to_back_is_not_an_overlap():
    """[10,12) and [12,14) touch but do not overlap."""
    assert not rules.overlaps(h(10), h(12), h(12), h(14))
    assert rules.overlaps(h(10), h(12), h(11, 30), h(14))


def test_depth_is_not_a_count():
    """Three windows overlapping a long one stack only two deep when two of them are back to back."""
    assert rules.depth_with(h(9), h(15), [(h(10), h(12)), (h(12), h(14))]) == 2
    assert rules.depth_with(h(9), h(15), [(h(10), h(12)), (h(11), h(14))]) == 3


def test_depth_ignores_windows_outside():
    """Windows outside the new one do not count."""
    assert rules.depth_with(h(9), h(10), [(h(10), h(12)), (h(7), h(9))]) == 1
    assert rules.overlap_depth([]) == 0


def test_grid_on_the_wall_clock():
    """Times must be a whole number of slots after local midnight, with no seconds."""
    assert rules.on_grid(h(10, 30), 30, DUBLIN)
    assert not rules.on_grid(h(10, 15), 30, DUBLIN)
    assert not rules.on_grid(h(10, 0).replace(second=1), 30, DUBLIN)
    # Summer: 10:30 Dublin is 09:30 UTC; on a 60-minute grid 09:30 UTC is off.
    summer = datetime(2026, 7, 1, 9, 0, tzinfo=UTC)  # 10:00 IST
    assert rules.on_grid(summer, 60, DUBLIN)
    assert not rules.on_grid(summer + timedelta(minutes=30), 60, DUBLIN)


def test_naive_times_are_read_in_the_lab_zone():
    """A naive time is Dublin wall-clock time; aware ones are kept."""
    assert rules.read_in_zone(datetime(2026, 7, 1, 10, 0), DUBLIN).astimezone(UTC) == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    aware = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert rules.read_in_zone(aware, DUBLIN) is aware


def test_spring_dst_gap_is_refused():
    """01:30 on 29 Mar 2026 does not exist in Dublin."""
    with pytest.raises(ValueError, match="does not exist"):
        rules.read_in_zone(datetime(2026, 3, 29, 1, 30), DUBLIN)
    assert rules.read_in_zone(datetime(2026, 3, 29, 2, 0), DUBLIN).utcoffset() == timedelta(hours=1)


def test_autumn_dst_repeat_reads_the_first_occurrence():
    """01:30 on 25 Oct 2026 happens twice; the first (IST, +01:00) is taken."""
    value = rules.read_in_zone(datetime(2026, 10, 25, 1, 30), DUBLIN)
    assert value.utcoffset() == timedelta(hours=1)


def test_window_problems():
    """Each window rule reports a readable problem."""
    limits = rules.Limits(slot_minutes=30, max_duration=timedelta(days=21), horizon=timedelta(days=180),
                          past_grace=timedelta(minutes=5))
    now = h(9)
    kw = {"now": now, "limits": limits, "tz": DUBLIN}
    assert rules.window_problems(h(10), h(12), **kw) == []
    assert rules.window_problems(h(12), h(12), **kw) == ["The end must be after the start."]
    assert "grid" in rules.window_problems(h(10, 10), h(12), **kw)[0]
    assert rules.window_problems(h(8, 55).replace(minute=30), h(12), **kw)  # 08:30 is beyond the grace
    assert rules.window_problems(now - timedelta(minutes=0), h(12), **kw) == []
    assert "past" in rules.window_problems(h(8, 30), h(12), **kw)[0]
    assert "at most 21 days" in rules.window_problems(h(10), h(10) + timedelta(days=21, minutes=30), **kw)[0]
    assert rules.window_problems(h(10), h(10) + timedelta(days=21), **kw) == []
    assert "ahead" in rules.window_problems(now + timedelta(days=181), now + timedelta(days=181, hours=1), **kw)[0]
    assert rules.window_problems(now + timedelta(days=180), now + timedelta(days=180, hours=1), **kw) == []


def test_transitions_in_one_place():
    """Undecided requests move freely; confirmed only to cancelled; final statuses never move."""
    assert rules.transition_allowed(S.PENDING, S.CONFLICTING)
    assert rules.transition_allowed(S.CONFLICTING, S.CONFIRMED)
    assert rules.transition_allowed(S.CONFIRMED, S.CANCELLED)
    assert not rules.transition_allowed(S.CONFIRMED, S.REJECTED)
    assert not rules.transition_allowed(S.CONFIRMED, S.EXPIRED)
    for final in (S.REJECTED, S.CANCELLED, S.EXPIRED):
        assert not any(rules.transition_allowed(final, new) for new in S.values)


def test_describe_window():
    """Messages name the local times."""
    assert rules.describe_window(h(12, day=3), h(18, day=3), DUBLIN) == "from 12:00 to 18:00 on 3 Dec"
    assert rules.describe_window(h(18, day=3), h(7, day=4), DUBLIN) == "from 18:00 on 3 Dec to 07:00 on 4 Dec"
