"""The composer's override and alternatives endpoints, the session wiring page and its downloads, and
the wiring shown on My bookings."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from scheduler.tests.conftest import at
from scheduler.tests.topology.lab import lab_build, topology_of
from scheduler.topology.booking import topology_book
from scheduler.topology.resolver import topology_resolve

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("now")]
TEN, NOON = at(10), at(12)


@pytest.fixture
def lab(db):
    lab = lab_build()
    for n in (1, 2, 3):
        lab.device("ROADM", f"ROADM {n}", ports=2)
    lab.device("TeraFlex", "TeraFlex 1", ports=1)
    return lab


@pytest.fixture
def topology(member, lab):
    return topology_of(member, lab, [("A", "TeraFlex"), ("r1", "ROADM"), ("r2", "ROADM")], [("A", "r1"), ("r1", "r2")])


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def first_mapping(topology, member, start=TEN, end=NOON):
    return topology_resolve(topology=topology, actor=member, start=start, end=end, k=1)["mappings"][0]


def devices_of(mapping):
    return [{"key": n["key"], "device": n["device"]} for n in mapping["nodes"]]


def test_override_rechecks_the_whole_option(web, member, topology, lab):
    mapping = first_mapping(topology, member)
    r1 = next(n for n in mapping["nodes"] if n["key"] == "r1")
    other = r1["alternatives"][0]
    response = post_json(web, reverse("topology-override", args=[topology.pk]),
                         {"start": TEN.isoformat(), "end": NOON.isoformat(), "node": "r1", "device": other,
                          "mapping": {"nodes": devices_of(mapping)}})
    assert response.status_code == 200
    fresh = response.json()["mappings"][0]
    assert {n["key"]: n["device"] for n in fresh["nodes"]}["r1"] == other
    # The ports were chosen again for the new device.
    link = next(link for link in fresh["links"] if {link["a"], link["b"]} == {"A", "r1"})
    assert any(name.startswith(lab.devices["ROADM 1"].name.lower().replace(" ", "_")) or name.startswith("roadm_")
               for name in link["port_names"])


def test_override_with_a_device_of_another_type_is_refused(web, member, topology, lab):
    mapping = first_mapping(topology, member)
    response = post_json(web, reverse("topology-override", args=[topology.pk]),
                         {"start": TEN.isoformat(), "end": NOON.isoformat(), "node": "r1",
                          "device": lab.devices["TeraFlex 1"].pk, "mapping": {"nodes": devices_of(mapping)}})
    assert response.status_code == 400
    assert response.json()["detail"] == "TeraFlex 1 is a TeraFlex; node r1 needs another type."


def test_override_that_breaks_the_option_says_why(web, member, topology, lab):
    """Putting r1 on the device r2 already uses cannot be valid (one device per node)."""
    mapping = first_mapping(topology, member)
    taken = {n["key"]: n["device"] for n in mapping["nodes"]}["r2"]
    response = post_json(web, reverse("topology-override", args=[topology.pk]),
                         {"start": TEN.isoformat(), "end": NOON.isoformat(), "node": "r1", "device": taken,
                          "mapping": {"nodes": devices_of(mapping)}})
    assert response.status_code == 200
    assert response.json()["feasible"] is False and response.json()["reasons"]


@pytest.mark.parametrize("body", [
    "not json",
    json.dumps([1, 2]),
    json.dumps({"start": "2026-12-02T10:00", "end": "2026-12-02T12:00", "node": "r1", "device": "x", "mapping": {}}),
    json.dumps({"start": "2026-12-02T10:00", "end": "2026-12-02T12:00", "node": "r1", "device": 1, "mapping": {"nodes": "x"}}),
    json.dumps({"start": "2026-12-02T10:00", "end": "2026-12-02T12:00", "node": "zz", "device": 1,
                "mapping": {"nodes": [{"key": "zz", "device": 1}]}}),
])
def test_override_bad_input_is_a_400(web, topology, body):
    response = web.post(reverse("topology-override", args=[topology.pk]), body, content_type="application/json")
    assert response.status_code == 400


def test_override_and_alternatives_of_someone_elses_topology_are_404(other_web, topology):
    for name in ("topology-override", "topology-alternatives"):
        assert post_json(other_web, reverse(name, args=[topology.pk]), {}).status_code == 404


def test_override_needs_the_csrf_token(member, topology):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert post_json(client, reverse("topology-override", args=[topology.pk]), {}).status_code == 403


def test_alternatives_say_why_they_rank_above_or_below(web, member, topology):
    mapping = first_mapping(topology, member)
    r1 = next(n for n in mapping["nodes"] if n["key"] == "r1")
    response = post_json(web, reverse("topology-alternatives", args=[topology.pk]),
                         {"start": TEN.isoformat(), "end": NOON.isoformat(), "node": "r1", "alternatives": r1["alternatives"],
                          "mapping": {"nodes": devices_of(mapping)}})
    assert response.status_code == 200
    rows = response.json()["alternatives"]
    assert [row["device"] for row in rows] == r1["alternatives"]
    assert all(row["feasible"] and row["reason"].startswith(("score", "same score")) for row in rows)


@pytest.fixture
def booked(member, topology, groups):
    mapping = first_mapping(topology, member)
    return topology_book(topology=topology, requester=member, mapping=mapping, start=TEN, end=NOON, message="wired")


def test_wiring_page_shows_status_patch_list_and_crossconnects(web, booked, topology, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = web.get(reverse("session-wiring", args=[booked.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="session-status">pending<' in html
    assert "[(&#x27;teraflex_1_p1&#x27;, &#x27;roadm_" in html
    assert html.count("<tr><td>") >= 4  # two links through the switch: four cross-connects
    assert f'href="{reverse("topology", args=[topology.pk])}"' in html  # booked from this topology
    for fmt in ("python", "json", "csv", "crossconnects"):
        assert reverse("session-wiring-download", args=[booked.pk, fmt]) in html


def test_wiring_downloads(web, booked):
    python = web.get(reverse("session-wiring-download", args=[booked.pk, "python"]))
    assert python["Content-Disposition"] == f'attachment; filename="session-{booked.pk}-wiring.py"'
    assert python.content.decode().startswith("[('teraflex_1_p1', 'roadm_")
    crossconnects = json.loads(web.get(reverse("session-wiring-download", args=[booked.pk, "crossconnects"])).content)
    assert crossconnects["switches"][0]["name"] == "Polatis 1" and len(crossconnects["switches"][0]["cross_connects"]) == 4
    assert web.get(reverse("session-wiring-download", args=[booked.pk, "csv"])).content.decode().startswith("a,b,a_port")
    assert web.get(reverse("session-wiring-download", args=[booked.pk, "yaml"])).status_code == 404


def test_wiring_of_someone_elses_session_is_404(other_web, booked):
    assert other_web.get(reverse("session-wiring", args=[booked.pk])).status_code == 404
    assert other_web.get(reverse("session-wiring-download", args=[booked.pk, "python"])).status_code == 404


def test_my_bookings_shows_the_wiring_in_constant_queries(web, member, topology, booked, django_assert_max_num_queries):
    with django_assert_max_num_queries(12) as before:
        html = web.get(reverse("my-bookings")).content.decode()
    assert 'class="session-wiring"' in html and "[(&#x27;teraflex_1_p1&#x27;" in html
    assert reverse("session-wiring", args=[booked.pk]) in html
    topology_book(topology=topology, requester=member, mapping=first_mapping(topology, member, at(13), at(15)),
                   start=at(13), end=at(15))
    with django_assert_max_num_queries(len(before.captured_queries)):
        web.get(reverse("my-bookings"))
