"""Heatmap, "what is free" and substitutes on hand-built labs, with figures worked out by hand."""

from datetime import date, datetime

import pytest

from core import clock
from scheduler.selectors.insight.demand import demand_heatmap
from scheduler.selectors.insight.free import free_for
from scheduler.selectors.insight.substitutes import AskedItem, refusal_help
from scheduler.tests.factories import BookingGroupFactory
from scheduler.tests.insight.lab import DUBLIN, backdate_devices, book, device, maintenance, utc

pytestmark = pytest.mark.django_db


def test_heatmap_cells_sum_booked_over_bookable_hours():
    """One week before Thu 10 Dec 2026: Thu 3 … Wed 9 Dec. ROADM has capacity 2, so a 07–12 slot offers 10 hours.

    Fri 07–12: two overlapping bookings 07–12 and 09–11 → 7 of 10 h. Sat overnight 18–07 (13 h, across
    midnight): one booking 20:00–06:00 → 10 of 26 h. The maintenance 12–18 on Mon leaves 0 bookable hours
    (no share); a booking before the period counts nothing.
    """
    roadm = device("ROADM 1", "ROADM", 2)
    backdate_devices()
    book(roadm, utc(4, 7), utc(4, 12))
    book(roadm, utc(4, 9), utc(4, 11), status="pending")
    book(roadm, utc(5, 20), utc(6, 6))
    book(roadm, utc(1, 7), utc(1, 12))
    maintenance(roadm, utc(7, 12), utc(7, 18))
    heat = demand_heatmap(weeks=1, today=date(2026, 12, 10))
    (roadm_map,) = heat.types
    fri = roadm_map.cell(4, "morning")
    assert (fri.booked_hours, fri.bookable_hours, fri.share) == (7, 10, 0.7)
    sat = roadm_map.cell(5, "overnight")
    assert (sat.booked_hours, sat.bookable_hours) == (10, 26)
    mon = roadm_map.cell(0, "afternoon")
    assert (mon.bookable_hours, mon.share) == (0, None)
    assert roadm_map.cell(1, "morning").share == 0
    assert roadm_map.busiest.weekday == 4 and roadm_map.busiest.slot == "morning"


def test_heatmap_overnight_slot_across_the_spring_dst_change():
    """Sat 28 Mar 2026 18:00 → Sun 29 Mar 07:00 (Dublin) lasts 12 hours: the clocks skip 01:00–02:00."""
    osa = device("OSA 1", "OSA", 1)
    backdate_devices()
    book(osa, datetime(2026, 3, 28, 18, tzinfo=DUBLIN), datetime(2026, 3, 29, 7, tzinfo=DUBLIN))
    heat = demand_heatmap(weeks=1, today=date(2026, 4, 1))
    cell = heat.types[0].cell(5, "overnight")
    assert (cell.booked_hours, cell.bookable_hours, cell.share) == (12, 12, 1)


def test_free_lists_each_device_once_with_its_reason():
    """Window 2 Dec 10:00–12:00: a capacity-2 ROADM held once is shared, twice is full; maintenance and status refuse."""
    shared = device("ROADM 1", "ROADM", 2, site="Main lab", ports=2)
    full = device("ROADM 2", "ROADM", 2, site="Main lab", ports=2)
    free = device("ROADM 3", "ROADM", 2, site="Annex", ports=2)
    maint = device("ROADM 4", "ROADM", 2, ports=2)
    device("ROADM 5", "ROADM", 2, status="unavailable")
    alice = BookingGroupFactory(owner__username="alice").owner
    book(shared, utc(2, 9), utc(2, 11), owner=alice)
    book(full, utc(2, 10), utc(2, 11), owner=alice)
    book(full, utc(2, 11), utc(2, 12))  # back to back with the first: depth 1 only…
    book(full, utc(2, 10), utc(2, 12), status="pending")  # …this one makes it 2
    book(free, utc(2, 12), utc(2, 14))  # touches the window's end: no overlap
    book(free, utc(2, 8), utc(2, 11), status="cancelled")
    maintenance(maint, utc(2, 11), utc(2, 13))
    report = free_for(start=utc(2, 10), end=utc(2, 12))
    (roadms,) = report.types
    assert [d.name for d in roadms.free] == ["ROADM 3"]
    assert [(s.device.name, s.held, s.capacity, s.holders) for s in roadms.shared] == [("ROADM 1", 1, 2, ["alice"])]
    assert [(r.device.name, r.reason) for r in roadms.refused] == [
        ("ROADM 2", "full"), ("ROADM 4", "maintenance"), ("ROADM 5", "unavailable")]
    assert roadms.free[0].ports == 2 and roadms.free[0].site == "Annex"


def test_substitutes_same_type_enough_ports_same_site_first():
    """ROADM 1 (4 ports, Main lab) is full; suggestions: free ROADMs with ≥ 4 ports, Main lab first, then fewest ports."""
    with clock.frozen(utc(1, 9)):
        asked = device("ROADM 1", "ROADM", 1, site="Main lab", ports=4)
        device("ROADM 2", "ROADM", 1, site="Annex", ports=4)
        device("ROADM 3", "ROADM", 1, site="Main lab", ports=6)
        device("ROADM 4", "ROADM", 1, site="Main lab", ports=2)  # too few ports
        busy = device("ROADM 5", "ROADM", 1, site="Main lab", ports=4)  # busy then
        device("ROADM 6", "ROADM", 1, site="Annex", ports=5)
        device("OSA 1", "OSA", 1, site="Main lab", ports=4)  # other type
        book(asked, utc(2, 10), utc(2, 14))
        book(asked, utc(2, 15), utc(2, 16))
        book(busy, utc(2, 11), utc(2, 12))
        (help_,) = refusal_help(items=[AskedItem(asked.pk, utc(2, 10), utc(2, 12))])
    assert [s.device.name for s in help_.suggestions] == ["ROADM 3", "ROADM 2", "ROADM 6"]
    assert help_.suggestions[0].reason == ("Same type (ROADM), same site (Main lab), 6 switch ports (asked 4), "
                                           "free from 10:00 to 12:00 on 2 Dec")
    # Next 2-hour window of ROADM 1 itself: 14:00–15:00 is too short, 16:00–18:00 fits.
    assert help_.next_free == (utc(2, 16), utc(2, 18))
