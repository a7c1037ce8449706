"""The insight algorithms against brute force on many small random labs (hypothesis).

Times are whole hours on 2 Dec 2026; the oracles walk the day in half-hour steps, which is exact
for hour-grid data: depth, free/shared/refused, and booked and bookable hours.
"""

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.models import Device, DeviceType
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import BookingGroup, MaintenanceWindow
from scheduler.selectors.insight.free import free_for
from scheduler.selectors.insight.utilization import utilization_report
from scheduler.tests.factories import BookingFactory
from scheduler.tests.insight.lab import LONG_AGO, utc

pytestmark = pytest.mark.django_db(transaction=False)
STATUSES = ["pending", "conflicting", "confirmed", "rejected", "cancelled", "expired"]
HALF_HOURS = [utc(2, 0) + timedelta(minutes=30 * n) for n in range(48)]

span = st.tuples(st.integers(0, 23), st.integers(1, 8)).map(lambda t: (t[0], min(24, t[0] + t[1])))
lab = st.fixed_dictionaries({
    "devices": st.lists(st.fixed_dictionaries({
        "capacity": st.integers(1, 3),
        "status": st.sampled_from(["available"] * 4 + ["maintenance", "retired"]),
        "bookings": st.lists(st.tuples(span, st.sampled_from(STATUSES)), max_size=6),
        "windows": st.lists(span, max_size=2),
    }), min_size=1, max_size=4),
    "window": span,
})
HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _build(data, owner):
    kind, _ = DeviceType.objects.get_or_create(name="ROADM")
    made = []
    for n, spec in enumerate(data["devices"]):
        device = Device.objects.create(name=f"R{n}", device_type=kind, capacity=spec["capacity"], status=spec["status"])
        for (a, b), status in spec["bookings"]:
            BookingFactory(group=BookingGroup.objects.create(owner=owner), device=device, start=utc(2, a),
                           end=utc(2, b) if b < 24 else utc(3, 0), status=status)
        for a, b in spec["windows"]:
            MaintenanceWindow.objects.create(device=device, start=utc(2, a), end=utc(2, b) if b < 24 else utc(3, 0))
        made.append((device, spec))
    Device.objects.update(created_at=LONG_AGO)
    return made


def _hour(h):
    return utc(2, h) if h < 24 else utc(3, 0)


def _covers(spans, t):
    return any(_hour(a) <= t < _hour(b) for a, b in spans)


@HYPOTHESIS
@given(data=lab)
def test_free_matches_brute_force(member, data):
    with transaction.atomic():
        made = _build(data, member)
        a, b = data["window"]
        report = free_for(start=_hour(a), end=_hour(b))
        got = {}
        for entry in report.types:
            got.update({d.id: ("free", 0) for d in entry.free})
            got.update({s.device.id: ("shared", s.held) for s in entry.shared})
            got.update({r.device.id: (r.reason, None) for r in entry.refused})
        for device, spec in made:
            points = [t for t in HALF_HOURS if _hour(a) <= t < _hour(b)]
            active = [s for s, status in spec["bookings"] if status in ACTIVE_STATUSES]
            depth = max((sum(_covers([s], t) for s in active) for t in points), default=0)
            if spec["status"] != "available":
                expected = ("unavailable", None)
            elif any(_covers(spec["windows"], t) for t in points):
                expected = ("maintenance", None)
            elif depth >= spec["capacity"]:
                expected = ("full", None)
            elif depth:
                expected = ("shared", depth)
            else:
                expected = ("free", 0)
            assert got[device.pk] == expected, (spec, data["window"])
        transaction.set_rollback(True)


@HYPOTHESIS
@given(data=lab)
def test_utilization_matches_brute_force(member, data):
    with transaction.atomic():
        made = _build(data, member)
        a, b = data["window"]
        report = {r.id: r for r in utilization_report(start=_hour(a), end=_hour(b)).devices}
        for device, spec in made:
            points = [t for t in HALF_HOURS if _hour(a) <= t < _hour(b)]
            # A device whose status is not available now, with no history, was never bookable in the period.
            bookable = [t for t in points if spec["status"] == "available" and not _covers(spec["windows"], t)]
            confirmed = sum(_covers([s], t) for s, status in spec["bookings"] if status == "confirmed" for t in bookable)
            pending = sum(_covers([s], t) for s, status in spec["bookings"] if status in ("pending", "conflicting")
                          for t in bookable)
            row = report[device.pk]
            assert (row.bookable_hours, row.confirmed_hours, row.pending_hours) == (
                len(bookable) * spec["capacity"] / 2, confirmed / 2, pending / 2), (spec, data["window"])
        transaction.set_rollback(True)


@HYPOTHESIS
@given(data=lab, ports=st.lists(st.integers(0, 3), min_size=4, max_size=4), sites=st.lists(st.integers(0, 1), min_size=4, max_size=4))
def test_substitutes_and_next_free_match_brute_force(member, data, ports, sites):
    from core import clock
    from inventory.models import Port, Site
    from scheduler.selectors.insight.substitutes import AskedItem, refusal_help

    with transaction.atomic(), clock.frozen(utc(1, 9)):
        made = _build(data, member)
        site_rows = [Site.objects.create(name=f"S{n}") for n in range(2)]
        for n, (device, _) in enumerate(made):
            Device.objects.filter(pk=device.pk).update(site=site_rows[sites[n]])
            for p in range(ports[n]):
                Port.objects.create(device=device, name=f"r{n}_p{p}")
        a, b = data["window"]
        asked_device, asked_spec = made[0]
        (help_,) = refusal_help(items=[AskedItem(asked_device.pk, _hour(a), _hour(b))])

        def free(spec, start, end):
            busy = [s for s, status in spec["bookings"] if status in ACTIVE_STATUSES] + spec["windows"]
            return not any(_hour(x) < end and _hour(y) > start for x, y in busy)

        valid = [(device, n) for n, (device, spec) in enumerate(made[1:], start=1)
                 if spec["status"] == "available" and ports[n] >= ports[0] and free(spec, _hour(a), _hour(b))]
        assert len(help_.suggestions) == min(3, len(valid))
        keys = [(sites[n] != sites[0], ports[n] - ports[0]) for device, n in valid]
        chosen = {s.device.id for s in help_.suggestions}
        assert chosen <= {device.pk for device, _ in valid}
        # Nothing left out ranks before something suggested.
        worst = max((k for (device, _), k in zip(valid, keys, strict=True) if device.pk in chosen), default=None)
        assert all(k >= worst for (device, _), k in zip(valid, keys, strict=True) if device.pk not in chosen) if worst else True

        duration = _hour(b) - _hour(a)
        expected = None
        if asked_spec["status"] == "available":
            t = _hour(a)
            while expected is None:
                if free(asked_spec, t, t + duration):
                    expected = (t, t + duration)
                t += timedelta(minutes=30)
        assert help_.next_free == expected
        transaction.set_rollback(True)


@HYPOTHESIS
@given(first=st.sampled_from([date(2026, 3, 25), date(2026, 10, 22), date(2026, 12, 1)]),
       days=st.integers(1, 9),
       bookings=st.lists(st.tuples(st.integers(-48, 240), st.integers(1, 150), st.sampled_from(STATUSES)), max_size=8),
       holes=st.lists(st.tuples(st.integers(-24, 240), st.integers(1, 60)), max_size=3))
def test_heatmap_day_matching_agrees_with_matching_every_cell(member, first, days, bookings, holes):
    """The heatmap's shortcut (each booking matched only with the cells of the days it may touch) gives the
    same seconds as matching every cell, and as brute force, across both clock changes and long bookings."""
    from scheduler.selectors.insight.demand import heatmap_cells
    from scheduler.selectors.insight.sql import booked_seconds

    with transaction.atomic():
        kind, _ = DeviceType.objects.get_or_create(name="ROADM")
        device = Device.objects.create(name="R", device_type=kind, capacity=2)
        cells = [(s, e) for _, _, s, e in heatmap_cells(first_day=first, days=days)]
        origin = cells[0][0]
        spans = []
        for offset, length, status in bookings:
            start = origin + timedelta(hours=offset)
            BookingFactory(group=BookingGroup.objects.create(owner=member), device=device, start=start,
                                   end=start + timedelta(hours=length), status=status)
            if status in ACTIVE_STATUSES:
                spans.append((start, start + timedelta(hours=length), status == "confirmed"))
        from scheduler.selectors.availability import intervals_merge

        cut = intervals_merge((origin + timedelta(hours=a), origin + timedelta(hours=a + n)) for a, n in holes)
        hole_rows = [(device.pk, s, e) for s, e in cut]
        fast = booked_seconds(cells=cells, holes=hole_rows, key="device", cells_per_day=3)
        plain = booked_seconds(cells=cells, holes=hole_rows, key="device")
        assert {k: v for k, v in fast.items() if v} == {k: v for k, v in plain.items() if v}
        for idx, (cs, ce) in enumerate(cells):
            for bucket, confirmed in (("confirmed", True), ("pending", False)):
                hours = 0
                t = cs
                while t < ce:  # whole hours: every time here is on the hour
                    if not any(s <= t < e for s, e in cut):
                        hours += sum(1 for s, e, c in spans if c == confirmed and s <= t < e)
                    t += timedelta(hours=1)
                assert fast.get((device.pk, bucket, idx), 0) == hours * 3600, (idx, bucket)
        transaction.set_rollback(True)
