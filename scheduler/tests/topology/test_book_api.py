"""Booking a mapping: one session, a reservation per port, stale mappings refused, reservations follow
their bookings, access-check honours them, and the wiring export."""

import csv
import io
import json

import pytest

from core.models import AuditEvent
from scheduler.models import Booking
from scheduler.selectors.access import access_check
from scheduler.services.booking import booking_approve, booking_group_cancel
from scheduler.tests.conftest import at
from scheduler.tests.topology.lab import lab_build, topology_of
from scheduler.topology.models import PortReservation

pytestmark = pytest.mark.usefixtures("now")
URL = "/api/scheduler/topologies/"
TEN, NOON = at(10), at(12)


@pytest.fixture
def lab(db):
    lab = lab_build()
    for n in (1, 2):
        lab.device("ROADM", f"ROADM {n}", ports=2)
    lab.device("TeraFlex", "TeraFlex 1", ports=1)
    lab.port(lab.devices["ROADM 1"], "roadm_1_line", patched=False)
    lab.port(lab.devices["ROADM 2"], "roadm_2_line", patched=False)
    lab.link("roadm_1_line", "roadm_2_line")
    return lab


@pytest.fixture
def topology(member, lab):
    return topology_of(member, lab, [("A", "TeraFlex"), ("r1", "=ROADM 1"), ("r2", "=ROADM 2")], [("A", "r1"), ("r1", "r2")],
                       fixed={("r1", "r2")})


def _resolve(client, topology, start=TEN, end=NOON):
    response = client.post(f"{URL}{topology.pk}/resolve/", {"start": start.isoformat(), "end": end.isoformat()}, format="json")
    assert response.status_code == 200, response.data
    return response.data["mappings"][0]


def _book(client, topology, mapping, start=TEN, end=NOON, **extra):
    return client.post(f"{URL}{topology.pk}/book/", {"start": start.isoformat(), "end": end.isoformat(), "mapping": mapping,
                                                     **extra}, format="json")


def test_book_a_resolved_mapping_as_one_session_with_port_reservations(member_client, topology, lab):
    mapping = _resolve(member_client, topology)
    response = _book(member_client, topology, mapping, message="ring test")
    assert response.status_code == 201, response.data
    assert sorted(b["device"]["name"] for b in response.data["bookings"]) == ["ROADM 1", "ROADM 2", "TeraFlex 1"]
    reserved = {r["port_name"] for r in response.data["port_reservations"]}
    assert reserved == {"teraflex_1_p1", "roadm_1_p1", "roadm_1_line", "roadm_2_line"}
    assert all(r["start"] == "2026-12-02T10:00:00Z" and r["active"] for r in response.data["port_reservations"])
    assert AuditEvent.objects.filter(action="scheduler.topology.booked").count() == 1


def test_a_port_reserved_since_resolving_makes_the_mapping_stale(member_client, other_client, lab, topology, other_member):
    stale = _resolve(member_client, topology)
    theirs = topology_of(other_member, lab, [("t", "=TeraFlex 1"), ("r", "=ROADM 1")], [("t", "r")])
    assert _book(other_client, theirs, _resolve(other_client, theirs), start=at(11), end=at(13)).status_code == 201
    response = _book(member_client, topology, stale)
    assert response.status_code == 409
    assert "Port teraflex_1_p1 (node A) is now reserved by" in response.data["detail"]
    assert response.data["conflicts"][0]["reason"] == "port_reserved"
    assert Booking.objects.count() == 2 and PortReservation.objects.count() == 2


def test_device_rules_are_the_booking_services(member_client, member, topology, lab):
    mapping = _resolve(member_client, topology)
    assert _book(member_client, topology, mapping).status_code == 201
    # The member's own booking of the same devices at the same time: the booking service refuses it.
    PortReservation.objects.update(active=False)
    response = _book(member_client, topology, mapping)
    assert response.status_code == 409
    assert response.data["conflicts"][0]["reason"] == "own_overlap" and response.data["conflicts"][0]["node"] == "A"


BAD = [
    ("unknown node", lambda m: {**m, "nodes": [*m["nodes"], {"key": "Z", "device": 1}]}, "not in the topology"),
    ("one device twice", lambda m: {**m, "nodes": [m["nodes"][0], {**m["nodes"][1], "device": m["nodes"][0]["device"]},
                                                   m["nodes"][2]]}, "one device for two nodes"),
    ("missing link", lambda m: {**m, "links": m["links"][:1]}, "no ports for link r1–r2"),
    ("port of another device", lambda m: {**m, "links": [{**m["links"][0], "ports": m["links"][0]["ports"][::-1]},
                                                         m["links"][1]]},
     "is not a port of the device of node A"),
]


@pytest.mark.parametrize(("case", "change", "text"), BAD, ids=[b[0] for b in BAD])
def test_a_mapping_that_does_not_fit_the_topology_is_a_400(member_client, topology, case, change, text):
    response = _book(member_client, topology, change(_resolve(member_client, topology)))
    assert response.status_code == 400, response.data
    assert text in response.data["detail"]
    assert not Booking.objects.exists()


def test_reservations_follow_their_bookings_and_access_check_honours_them(member_client, member, other_member, manager,
                                                                            topology, lab):
    response = _book(member_client, topology, _resolve(member_client, topology))
    group_id = response.data["id"]
    for booking in Booking.objects.filter(group_id=group_id):
        booking_approve(booking=booking, actor=manager)
    assert PortReservation.objects.filter(active=True).count() == 4
    # The port's device is free of bookings for others' purposes, but the port is reserved: refused.
    result = access_check(user=other_member, ports=["roadm_1_line"], at=at(11))
    assert result.allowed is False and result.ports[0].holders == [member.username]
    assert access_check(user=member, ports=["roadm_1_line"], at=at(11)).allowed is True
    assert access_check(user=other_member, ports=["roadm_1_line"], at=at(12)).allowed is True
    booking_group_cancel(group=Booking.objects.filter(group_id=group_id).first().group, actor=member)
    assert not PortReservation.objects.filter(active=True).exists()
    assert access_check(user=other_member, ports=["roadm_1_line"], at=at(11)).allowed is True


def test_wiring_export_in_four_formats(member_client, other_client, topology, lab):
    group_id = _book(member_client, topology, _resolve(member_client, topology)).data["id"]
    url = f"/api/scheduler/booking-groups/{group_id}/wiring/"
    python = member_client.get(url, {"format": "python"})
    assert python.status_code == 200 and python["Content-Type"].startswith("text/x-python")
    assert python.content.decode() == "[('teraflex_1_p1', 'roadm_1_p1'), ('roadm_1_line', 'roadm_2_line')]"
    data = member_client.get(url, {"format": "json"}).json()
    assert data["patch_list"] == [["teraflex_1_p1", "roadm_1_p1"], ["roadm_1_line", "roadm_2_line"]]
    tf, r1 = lab.ports["teraflex_1_p1"], lab.ports["roadm_1_p1"]
    assert data["links"][0]["switch"] == "Polatis 1"
    assert data["links"][0]["cross_connects"] == [[tf.switch_in, r1.switch_out], [r1.switch_in, tf.switch_out]]
    assert data["links"][1]["link"] is not None and data["links"][1]["cross_connects"] == []
    rows = list(csv.DictReader(io.StringIO(member_client.get(url, {"format": "csv"}).content.decode())))
    assert (rows[0]["a_port"], rows[0]["a_in"], rows[0]["b_out"], rows[1]["via"]) == ("teraflex_1_p1", str(tf.switch_in),
                                                                                       str(r1.switch_out), "link")
    cross = json.loads(member_client.get(url, {"format": "crossconnects"}).content)
    assert cross == {"switches": [{"id": lab.switch.pk, "name": "Polatis 1",
                                   "cross_connects": [[tf.switch_in, r1.switch_out], [r1.switch_in, tf.switch_out]]}]}
    assert other_client.get(url).status_code == 404
