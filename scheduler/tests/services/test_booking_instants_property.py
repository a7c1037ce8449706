"""Property tests: random sets of requests around both clock changes of a year, in two zones.

Europe/Dublin moves by an hour, Australia/Lord_Howe by 30 minutes (so every 30-minute slot near its
changes is either repeated or skipped). Each example submits a few requests of random items, given
as UTC or as aware times in the lab's zone (the form that used to compare by the wall reading), on
a capacity-1 and a capacity-2 device, and checks after every request:

- the overlap depth of the active bookings of each device, in UTC, never exceeds its capacity;
- an item refused for overlap (`own_overlap`, `capacity`) really shares an instant, in UTC, with
  what it was refused for; nothing disjoint in UTC is refused;
- every active booking holds a unit within the capacity that no overlapping booking holds.

Run with `-s` to see how many examples and requests ran per case; BOOKING_PROPERTY_EXAMPLES sets
the examples per case (60 by default, so that the suite stays fast).
"""

import os
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core import clock
from core.exceptions import RuleConflict
from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking
from scheduler.services.booking import booking_cancel, booking_request

SLOT = timedelta(minutes=30)
CAPACITIES = (1, 2)
EXAMPLES = int(os.environ.get("BOOKING_PROPERTY_EXAMPLES", "60"))  # per case; raise it for a deeper run


def clock_changes(zone: str, year: int) -> list[datetime]:
    """The UTC instants in `year` at which `zone` changes its offset (scanned every 30 minutes)."""
    tz = ZoneInfo(zone)
    moment = datetime(year, 1, 1, tzinfo=UTC)
    changes, offset = [], moment.astimezone(tz).utcoffset()
    while moment.year == year:
        moment += SLOT
        now_offset = moment.astimezone(tz).utcoffset()
        if now_offset != offset:
            changes.append(moment)
            offset = now_offset
    return changes


CASES = [(zone, change) for zone in ("Europe/Dublin", "Australia/Lord_Howe") for change in clock_changes(zone, 2027)]

item = st.fixed_dictionaries({
    "device": st.sampled_from(range(len(CAPACITIES))),
    "start": st.integers(min_value=-8, max_value=8),  # slots from the change
    "slots": st.integers(min_value=1, max_value=6),
    "local": st.booleans(),  # given as an aware time in the lab's zone (else UTC)
})
request = st.fixed_dictionaries({
    "user": st.sampled_from((0, 1)),
    "items": st.lists(item, min_size=1, max_size=4),
    "cancel": st.integers(min_value=0, max_value=3),  # first cancel the user's n-th active booking (if any): frees a unit
})


def _overlaps(a, b):
    return a[0] < b[1] and b[0] < a[1]


def _depth(windows):
    events = sorted([(s, 1) for s, _ in windows] + [(e, -1) for _, e in windows])
    depth = best = 0
    for _, step in events:
        depth += step
        best = max(best, depth)
    return best


def _active(device):
    return [(b.start.timestamp(), b.end.timestamp(), b.group.owner_id)
            for b in Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES).select_related("group")]


def test_cases_cover_both_changes_of_each_zone():
    assert [zone for zone, _ in CASES] == ["Europe/Dublin"] * 2 + ["Australia/Lord_Howe"] * 2
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    spring, autumn = CASES[2][1], CASES[3][1]
    assert abs((spring - SLOT).astimezone(lord_howe).utcoffset() - spring.astimezone(lord_howe).utcoffset()) == SLOT
    assert autumn > spring


@pytest.mark.parametrize(("zone", "change"), CASES, ids=[f"{z}-{c:%m}" for z, c in CASES])
def test_capacity_and_overlap_are_judged_in_instants(db, settings, zone, change):
    settings.TIME_ZONE = zone
    tz = ZoneInfo(zone)
    kinds = [DeviceTypeFactory(name=f"Kind {c}", default_capacity=c, requires_approval=c == 1) for c in CAPACITIES]
    devices = [DeviceFactory(name=f"Device {i}", device_type=kind) for i, kind in enumerate(kinds)]
    users = [UserFactory(username="ada"), UserFactory(username="bob")]

    @hypothesis_settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(requests=st.lists(request, min_size=1, max_size=4))
    def run(requests):
        ran.append(len(requests))
        with clock.frozen(change - timedelta(days=2)), transaction.atomic():
            for req in requests:
                _submit(req, devices=devices, users=users, change=change, tz=tz)
            transaction.set_rollback(True)

    ran: list[int] = []
    run()
    print(f"{zone} {change:%Y-%m-%d %H:%M}Z: {len(ran)} examples, {sum(ran)} requests")  # shown with -s
    assert len(ran) >= EXAMPLES


def _submit(req, *, devices, users, change, tz):
    owner = users[req["user"]]
    held = list(Booking.objects.filter(group__owner=owner, status__in=ACTIVE_STATUSES).order_by("start", "id"))
    if req["cancel"] < len(held):
        booking_cancel(booking=held[req["cancel"]], actor=owner)
    windows = [(change + SLOT * i["start"], change + SLOT * (i["start"] + i["slots"])) for i in req["items"]]
    items = [{"device": devices[i["device"]].pk,
              "start": s.astimezone(tz) if i["local"] else s, "end": e.astimezone(tz) if i["local"] else e}
             for i, (s, e) in zip(req["items"], windows, strict=True)]
    before = {d.pk: _active(d) for d in devices}
    try:
        booking_request(requester=owner, items=items)
        refused = []
    except RuleConflict as exc:
        refused = exc.conflicts
    refused_items = {c["item"] for c in refused}
    for conflict in refused:
        index = conflict["item"]
        device_id = items[index]["device"]
        mine = (windows[index][0].timestamp(), windows[index][1].timestamp())
        earlier = [(windows[j][0].timestamp(), windows[j][1].timestamp()) for j in range(index)
                   if items[j]["device"] == device_id and j not in refused_items]
        stored = before[device_id]
        if conflict["reason"] == "own_overlap":
            assert any(_overlaps(mine, w) for w in earlier) or any(
                _overlaps(mine, (s, e)) for s, e, o in stored if o == owner.pk), (conflict, windows)
        elif conflict["reason"] == "capacity":
            capacity = CAPACITIES[[d.pk for d in devices].index(device_id)]
            clipped = [w for w in [*earlier, *((s, e) for s, e, _ in stored)] if _overlaps(mine, w)]
            assert _depth([*clipped, mine]) > capacity, (conflict, windows)
        else:
            pytest.fail(f"unexpected refusal {conflict}")
    for device, capacity in zip(devices, CAPACITIES, strict=True):
        assert _depth([(s, e) for s, e, _ in _active(device)]) <= capacity
        # Each active booking holds a unit within the capacity, never one an overlapping booking holds.
        held = list(Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES).values_list("start", "end", "unit"))
        assert all(1 <= unit <= capacity for *_, unit in held)
        assert not any(a[2] == b[2] and _overlaps(a, b) for i, a in enumerate(held) for b in held[i + 1:])
