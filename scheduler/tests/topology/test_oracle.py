"""The resolver against a brute-force oracle on 1,000 random small labs (seeded, so reproducible).

Agreement on feasibility in every case; every returned mapping re-validates independently; the
earliest window is never later than the oracle's and is itself valid.
"""

import random
from datetime import timedelta
from zoneinfo import ZoneInfo

from scheduler import booking_rules as rules
from scheduler.tests.topology.oracle import case_generate, h, mapping_problems, oracle_feasible
from scheduler.topology.earliest import earliest_in_world
from scheduler.topology.resolver import resolve_in_world

CASES = 1000
EARLIEST_CASES = 150
UTC_GRID = ZoneInfo("UTC")


def test_resolver_agrees_with_the_oracle_on_1000_random_labs(settings):
    rng = random.Random(20261205)
    feasible_seen = infeasible_seen = 0
    for number in range(CASES):
        case = case_generate(rng)
        start = h(rng.randint(0, 40))
        end = start + timedelta(hours=rng.randint(1, 6))
        mappings, reasons = resolve_in_world(case.world, case.nodes, case.links, start, end, k=3)
        expected = oracle_feasible(case, start, end)
        assert bool(mappings) == expected, (number, case.nodes, case.links, reasons)
        if expected:
            feasible_seen += 1
            assert len({tuple(sorted(m.devices.items())) for m in mappings}) == len(mappings), number
            for mapping in mappings:
                assert mapping_problems(case, mapping, start, end) == [], number
        else:
            infeasible_seen += 1
            assert reasons and all(r["code"] and r["message"] for r in reasons), number
    # The generator must exercise both answers, or the agreement would prove little.
    print(f"feasible {feasible_seen}, infeasible {infeasible_seen}")
    assert feasible_seen > 200 and infeasible_seen > 200, (feasible_seen, infeasible_seen)


def test_earliest_is_never_later_than_the_oracle_and_valid():
    rng = random.Random(7)
    limits = rules.Limits(slot_minutes=60, max_duration=timedelta(days=3), horizon=timedelta(days=30),
                          past_grace=timedelta(minutes=5))
    found_some = 0
    for number in range(EARLIEST_CASES):
        case = case_generate(rng)
        duration = timedelta(hours=rng.randint(1, 4))
        first, last = h(0), h(48)
        found = earliest_in_world(case.world, case.nodes, case.links, first=first, last=last, duration=duration,
                                  slot_minutes=60, tz=UTC_GRID, k=1, limits=limits, now=first)
        oracle = next((h(t) for t in range(0, 49) if oracle_feasible(case, h(t), h(t) + duration)), None)
        if oracle is None:
            assert found == [], number
            continue
        found_some += 1
        start, mapping = found[0]
        assert start <= oracle, (number, start, oracle)
        assert oracle_feasible(case, start, start + duration), number
        assert mapping_problems(case, mapping, start, start + duration) == [], number
    assert found_some > 50
