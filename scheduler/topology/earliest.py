"""The earliest windows in which a topology can be mapped for a whole duration.

Exact, not sampled. As a window of fixed length slides later, it only stops overlapping an
interval (a booking, maintenance or port reservation) when it passes that interval's end; every
other change (a new interval entering at the window's end) makes things worse. So the first
feasible start on the slot grid is either `after` (rounded up to the grid) or the first grid
slot at or after the end of some interval. Those are the only candidates tried, in order: each
first passes a cheap necessary test (every node has a usable device and the nodes can take
distinct devices: a bipartite matching), then the full CP-SAT model. The world is read once
for the whole horizon (a constant number of queries).
"""

from datetime import UTC, datetime, timedelta

from core import clock
from core.exceptions import ApplicationError
from scheduler import booking_rules as rules
from scheduler.models import BookingPolicy
from scheduler.services.booking import lab_zone, policy_limits
from scheduler.topology.candidates import node_candidates
from scheduler.topology.explain import matching_size
from scheduler.topology.resolver import mapping_as_dict, resolve_in_world
from scheduler.topology.solver import solve
from scheduler.topology.spec import links_of, nodes_of
from scheduler.topology.world import World, world_load

MAX_K = 5


def grid_ceil(value: datetime, slot_minutes: int, tz) -> datetime:
    """The first instant on the lab's slot grid (wall clock in `tz`) at or after `value`."""
    if rules.on_grid(value, slot_minutes, tz):
        return value.astimezone(UTC)
    local = value.astimezone(tz)
    minutes = local.hour * 60 + local.minute
    naive = local.replace(tzinfo=None, second=0, microsecond=0) + timedelta(minutes=slot_minutes - minutes % slot_minutes)
    for _ in range(48):
        for fold in (0, 1):
            try:
                candidate = rules.read_in_zone(naive.replace(fold=fold), tz) if fold == 0 else naive.replace(tzinfo=tz, fold=1)
            except ValueError:  # skipped by the spring change
                break
            if candidate >= value:
                return candidate.astimezone(UTC)
        naive += timedelta(minutes=slot_minutes)
    raise ValueError("no grid slot found")  # unreachable for any real zone


def _events(world: World) -> list[datetime]:
    """Ends of everything that holds a device or port: the instants at which something is freed."""
    ends = set()
    for device in world.devices.values():
        ends.update(b.end for b in device.bookings)
        ends.update(m.end for m in device.maintenance)
    for items in world.port_busy.values():
        ends.update(r.end for r in items)
    return sorted(ends)


def earliest_in_world(world: World, nodes, links, *, first: datetime, last: datetime, duration: timedelta,
                      slot_minutes: int, tz, k: int, limits: rules.Limits, now: datetime) -> list[tuple[datetime, object]]:
    """Up to k (start, mapping) pairs, earliest first, for starts in [first, last]. No queries."""
    candidates = sorted({first} | {grid_ceil(e, slot_minutes, tz) for e in _events(world) if first < e <= last})
    found = []
    for start in candidates:
        if start > last:
            break
        end = start + duration
        if rules.window_problems(start, end, now=now, limits=limits, tz=tz):
            continue
        cands = node_candidates(world, nodes, links, start, end, quick=True)
        if any(not c.choices for c in cands) or matching_size(cands) < len(cands):
            continue
        cands = node_candidates(world, nodes, links, start, end)
        result = solve(world, cands, links, start, end, k=1)
        if result.mappings:
            found.append((start, result.mappings[0]))
            if len(found) == k:
                break
    return found


def topology_earliest(*, topology, actor, duration_minutes: int, after: datetime | None = None,
                      before: datetime | None = None, k: int = 1) -> dict:
    """`{windows: [{start, end, mapping}], reasons}`: the earliest grid-aligned starts within the horizon."""
    if not 1 <= k <= MAX_K:
        raise ApplicationError(f"k must be between 1 and {MAX_K}.")
    tz = lab_zone()
    policy = BookingPolicy.load()
    limits = policy_limits(policy)
    now = clock.now()
    duration = timedelta(minutes=duration_minutes)
    if duration_minutes % policy.slot_minutes:
        raise ApplicationError(f"The duration must be a whole number of {policy.slot_minutes}-minute slots.")
    if duration > policy.max_duration:
        raise ApplicationError(f"A booking may last at most {rules.describe_duration(policy.max_duration)}; shorten the duration.")
    first = grid_ceil(max(after or now, now), policy.slot_minutes, tz)
    last = now + policy.horizon
    if before is not None:
        last = min(last, before)
    nodes, links = nodes_of(topology), links_of(topology)
    if not nodes:
        raise ApplicationError("The topology has no nodes; add at least one.")
    if first > last:
        return {"windows": [], "reasons": [{"code": "horizon", "message": "No start lies between after and before within "
                                                                          "the booking horizon."}]}
    world = world_load(nodes=nodes, start=first, end=last + duration, requester=actor)
    found = earliest_in_world(world, nodes, links, first=first, last=last, duration=duration, slot_minutes=policy.slot_minutes,
                              tz=tz, k=k, limits=limits, now=now)
    windows = [{"start": start.astimezone(tz), "end": (start + duration).astimezone(tz), "mapping": mapping_as_dict(world, m)}
               for start, m in found]
    reasons = []
    if not windows:
        _, reasons = resolve_in_world(world, nodes, links, first, first + duration, k=1)
        reasons = [{"code": "horizon", "message": f"No window of {rules.describe_duration(duration)} fits before "
                                                  f"{last.astimezone(tz):%d %b %Y %H:%M}; at the first start the problem is:"},
                   *reasons]
    return {"windows": windows, "reasons": reasons}
