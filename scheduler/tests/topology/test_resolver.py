"""The resolver: injective, port-exclusive, capacity- and maintenance-aware, deterministic, explained when infeasible."""

from datetime import timedelta

import pytest

from scheduler.tests.conftest import at
from scheduler.tests.factories import BookingFactory, MaintenanceWindowFactory
from scheduler.tests.topology.lab import lab_build, topology_of
from scheduler.topology.models import PortReservation
from scheduler.topology.resolver import topology_resolve

pytestmark = pytest.mark.usefixtures("now")

START, END = at(10), at(12)


@pytest.fixture
def lab(db):
    lab = lab_build()
    for n in (1, 2, 3):
        lab.device("ROADM", f"ROADM {n}", ports=3)
    for n in (1, 2):
        lab.device("TeraFlex", f"TeraFlex {n}", ports=1)
    return lab


def _resolve(member, topology, k=3, start=START, end=END):
    return topology_resolve(topology=topology, actor=member, start=start, end=end, k=k)


def test_maps_each_node_to_its_own_device_with_ports_and_cross_connects(member, lab):
    topology = topology_of(member, lab, [("A", "TeraFlex"), ("r1", "ROADM"), ("r2", "ROADM"), ("B", "TeraFlex")],
                           [("A", "r1"), ("r1", "r2"), ("r2", "B")])
    answer = _resolve(member, topology, k=3)
    assert answer["feasible"] and answer["reasons"] == []
    best = answer["mappings"][0]
    devices = [n["device"] for n in best["nodes"]]
    assert len(set(devices)) == 4
    used_ports = [p for link in best["links"] for p in link["ports"]]
    assert len(used_ports) == len(set(used_ports)) == 6
    first = best["links"][0]
    assert first["switch"] == lab.switch.pk and first["link"] is None
    pa, pb = (lab.ports[name] for name in first["port_names"])
    assert pa.device_id == best["nodes"][0]["device"] and pb.device_id == best["nodes"][1]["device"]
    assert first["cross_connects"] == [[pa.switch_in, pb.switch_out], [pb.switch_in, pa.switch_out]]
    assigned = [tuple(n["device"] for n in m["nodes"]) for m in answer["mappings"]]
    assert len(assigned) == len(set(assigned)) == 3
    assert [m["score"] for m in answer["mappings"]] == sorted((m["score"] for m in answer["mappings"]), reverse=True)
    assert set(best["score_parts"]) == {"window_fit", "exclusive_use", "port_margin", "locality"}


def test_same_input_same_answer(member, lab):
    topology = topology_of(member, lab, [("r1", "ROADM"), ("r2", "ROADM")], [("r1", "r2")])
    assert _resolve(member, topology) == _resolve(member, topology)


def test_one_roadm_short_is_explained_with_who_holds_it(member, other_member, lab):
    BookingFactory(device=lab.devices["ROADM 3"], group__owner=other_member, start=at(9), end=at(11), status="confirmed")
    BookingFactory(device=lab.devices["ROADM 3"], start=at(9), end=at(11), status="confirmed")
    topology = topology_of(member, lab, [("r1", "ROADM"), ("r2", "ROADM"), ("r3", "ROADM")], [("r1", "r2"), ("r2", "r3")])
    answer = _resolve(member, topology)
    assert answer["feasible"] is False and answer["mappings"] == []
    reason = answer["reasons"][0]
    assert reason["code"] == "type_shortage"
    assert "Needs 3 ROADM" in reason["message"] and "2 are free" in reason["message"]
    assert other_member.username in reason["message"]


def test_maintenance_and_pinned_busy_device(member, lab):
    MaintenanceWindowFactory(device=lab.devices["ROADM 1"], start=at(8), end=at(18))
    topology = topology_of(member, lab, [("r", "=ROADM 1")])
    answer = _resolve(member, topology)
    assert answer["reasons"][0]["code"] == "pinned_busy"
    assert "maintenance" in answer["reasons"][0]["message"] and answer["reasons"][0]["node"] == "r"


def test_sharing_within_capacity_is_allowed_but_scores_lower(member, other_member, lab):
    for n in (1, 2):
        BookingFactory(device=lab.devices[f"ROADM {n}"], group__owner=other_member, start=at(9), end=at(11))
    topology = topology_of(member, lab, [("r", "ROADM")])
    answer = _resolve(member, topology, k=3)
    assert [m["nodes"][0]["device_name"] for m in answer["mappings"]][0] == "ROADM 3"
    assert answer["mappings"][0]["score_parts"]["exclusive_use"] == 1.0
    assert answer["mappings"][1]["score_parts"]["exclusive_use"] == 0.0


def test_port_shortage_is_explained(member, lab):
    topology = topology_of(member, lab, [("r", "ROADM"), *[(f"t{i}", "ROADM") for i in range(2)], ("x", "TeraFlex"),
                                         ("y", "TeraFlex")],
                           [("r", "t0"), ("r", "t1"), ("r", "x"), ("r", "y")])
    answer = _resolve(member, topology)
    assert answer["reasons"][0]["code"] == "port_shortage"
    assert answer["reasons"][0]["message"].startswith("Node r needs 4 switch ports; ROADM 1 has 3 free")


def test_reserved_ports_are_not_used(member, other_member, lab):
    group = BookingFactory(device=lab.devices["TeraFlex 1"], group__owner=other_member, start=at(8), end=at(9)).group
    booking = group.bookings.get()
    PortReservation.objects.create(group=group, booking=booking, port=lab.ports["teraflex_1_p1"], peer=lab.ports["roadm_1_p1"],
                                   side="a", a_key="a", b_key="b", start=at(9), end=at(13))
    topology = topology_of(member, lab, [("t", "TeraFlex"), ("r", "ROADM")], [("t", "r")])
    answer = _resolve(member, topology, k=5)
    assert {m["nodes"][0]["device_name"] for m in answer["mappings"]} == {"TeraFlex 2"}


def test_fixed_only_link_uses_the_fixed_link_or_explains(member, lab):
    lab.port(lab.devices["ROADM 1"], "roadm_1_line", patched=False)
    lab.port(lab.devices["ROADM 2"], "roadm_2_line", patched=False)
    fixed = lab.link("roadm_1_line", "roadm_2_line")
    topology = topology_of(member, lab, [("r1", "ROADM"), ("r2", "ROADM")], [("r1", "r2")], fixed={("r1", "r2")})
    answer = _resolve(member, topology, k=3)
    assert len(answer["mappings"]) == 2
    assert all(m["links"][0]["link"] == fixed.pk and m["links"][0]["switch"] is None for m in answer["mappings"])
    topology = topology_of(member, lab, [("r1", "=ROADM 3"), ("r2", "ROADM")], [("r1", "r2")], fixed={("r1", "r2")})
    assert _resolve(member, topology)["reasons"][0]["code"] == "no_fixed_link"


def test_alternatives_keep_the_rest_valid(member, lab):
    topology = topology_of(member, lab, [("r1", "ROADM"), ("t", "TeraFlex")], [("r1", "t")])
    best = _resolve(member, topology, k=1)["mappings"][0]
    r1 = best["nodes"][0]
    assert len(r1["alternatives"]) == 2 and r1["device"] not in r1["alternatives"]
    assert best["nodes"][1]["alternatives"] == [d for d in (lab.devices["TeraFlex 1"].pk, lab.devices["TeraFlex 2"].pk)
                                                if d != best["nodes"][1]["device"]]


def test_window_outside_the_rules_is_a_400(member, lab):
    from core.exceptions import ApplicationError

    topology = topology_of(member, lab, [("r", "ROADM")])
    with pytest.raises(ApplicationError, match="grid"):
        _resolve(member, topology, start=START + timedelta(minutes=7), end=END)


def test_world_is_loaded_in_constant_queries(member, other_member, lab):
    """Nine queries (policy, devices, tags, bookings, maintenance, links, ports, reservations, switches),
    whatever the number of bookings."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scheduler.models import BookingPolicy

    BookingPolicy.load()
    topology = topology_of(member, lab, [("A", "TeraFlex"), ("r1", "ROADM"), ("r2", "ROADM")], [("A", "r1"), ("r1", "r2")])
    counts = []
    for day in (3, 4):
        for hour in range(0, 20, 2):
            BookingFactory(device=lab.devices["ROADM 1"], group__owner=other_member, start=at(hour, day=day),
                           end=at(hour + 1, day=day))
        with CaptureQueriesContext(connection) as queries:
            _resolve(member, topology, start=at(10, day=day), end=at(12, day=day))
        counts.append(len(queries))
    assert counts == [9, 9]
