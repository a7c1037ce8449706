"""The insight API and pages: shapes (DESIGN §12), bad input, constant query counts, and API and pages agreeing."""

import re

import pytest
from django.test import Client

from core import clock
from scheduler.models import Booking
from scheduler.tests.insight.lab import book, build_day_lab, device, utc

pytestmark = pytest.mark.django_db
FREE = "/api/scheduler/free/"
DEMAND = "/api/scheduler/demand/"
GROUPS = "/api/scheduler/booking-groups/"


def test_free_api_shape_and_lists(member_client):
    build_day_lab()
    body = member_client.get(FREE, {"start": "2026-12-02T09:00", "end": "2026-12-02T11:00"}).json()
    assert set(body) == {"start", "end", "types"}
    by_type = {t["device_type"]["name"]: t for t in body["types"]}
    assert set(by_type["OSA"]) == {"device_type", "free", "shared", "refused"}
    assert [(r["device"]["name"], r["reason"]) for r in by_type["OSA"]["refused"]] == [
        ("OSA 1", "maintenance"), ("OSA 2", "unavailable")]
    roadm = by_type["ROADM"]
    assert roadm["shared"] == [{"device": {"id": roadm["shared"][0]["device"]["id"], "name": "ROADM 1", "ports": 4,
                                           "capacity": 2, "site": {"id": roadm["shared"][0]["device"]["site"]["id"],
                                                                   "name": "Main lab"}},
                                "held": 1, "capacity": 2, "holders": [Booking.objects.get(start=utc(2, 10)).group.owner.username]}]
    assert roadm["free"] == [] and roadm["refused"] == []


@pytest.mark.parametrize("query", [
    {"start": "2026-12-02T10:00", "end": "2026-12-02T09:00"}, {"start": "nonsense"}, {"device_type": "x"},
    {"start": "2026-12-01T00:00", "end": "2027-02-01T00:00"}, {"site": "-1"}, {"start": ""}, {"end": " "},
])
def test_free_api_refuses_bad_input_with_400(member_client, query):
    assert member_client.get(FREE, query).status_code == 400


def test_insight_api_needs_sign_in(anon_client):
    assert anon_client.get(FREE).status_code == 401
    assert anon_client.get(DEMAND).status_code == 401


def test_demand_api_shape_and_bad_weeks(member_client):
    with clock.frozen(utc(9, 9)):  # one week: Wed 2 … Tue 8 Dec
        build_day_lab()
        body = member_client.get(DEMAND, {"weeks": 1}).json()
        assert member_client.get(DEMAND, {"weeks": 0}).status_code == 400
        assert member_client.get(DEMAND, {"weeks": "many"}).status_code == 400
    assert {"weeks", "first_day", "last_day", "start", "end", "slots", "types"} <= set(body)
    assert [s["key"] for s in body["slots"]] == ["morning", "afternoon", "overnight"]
    roadm = next(t for t in body["types"] if t["device_type"]["name"] == "ROADM")
    wed_afternoon = next(c for c in roadm["cells"] if c["weekday"] == 2 and c["slot"] == "afternoon")
    # 2 Dec 12–18 on ROADM 1 (capacity 2): pending 12–14 and confirmed 12–16 → 6 of 12 hours.
    assert (wed_afternoon["booked_hours"], wed_afternoon["bookable_hours"], wed_afternoon["share"]) == (6, 12, 0.5)


def test_free_and_demand_query_counts_do_not_grow(member_client, django_assert_max_num_queries):
    roadms = [device(f"ROADM {n}", "ROADM", 2) for n in range(1, 6)]
    for n in range(40):
        book(roadms[n % 5], utc(2, n % 20), utc(2, n % 20 + 1))
    with django_assert_max_num_queries(6):
        member_client.get(FREE, {"start": "2026-12-02T00:00", "end": "2026-12-03T00:00"})
    with django_assert_max_num_queries(8), clock.frozen(utc(10, 9)):
        member_client.get(DEMAND, {"weeks": 2})


def test_free_page_agrees_with_the_api_and_adds_to_the_cart(member, member_client):
    build_day_lab()
    extra = device("ROADM 2", "ROADM", 2, site="Annex")
    client = Client()
    client.force_login(member)
    window = {"start": "2026-12-02T09:00", "end": "2026-12-02T11:00"}
    api = member_client.get(FREE, window).json()
    page = client.get("/free/", window).content.decode()
    for entry in api["types"]:
        for state, rows in (("free", entry["free"]), ("shared", [s["device"] for s in entry["shared"]]),
                            ("refused", [r["device"] for r in entry["refused"]])):
            for d in rows:
                assert re.search(rf'data-state="{state}"><td><a href="/devices/{d["id"]}/">', page), (state, d)
    response = client.post("/free/add/", {"device": extra.pk, "start": "2026-12-02T09:00:00+00:00",
                                          "end": "2026-12-02T11:00:00+00:00", "next": "/free/"})
    assert response.status_code == 302
    assert client.session["booking_cart"]["items"] == [
        {"device": extra.pk, "start": "2026-12-02T09:00:00+00:00", "end": "2026-12-02T11:00:00+00:00"}]
    assert client.post("/free/add/", {"device": "nope"}).status_code == 302
    assert len(client.session["booking_cart"]["items"]) == 1


def test_week_schedule_links_to_what_is_free(member):
    client = Client()
    client.force_login(member)
    with clock.frozen(utc(2, 9)):
        page = client.get("/", {"week": "2026-12-02"}).content.decode()
    assert 'href="/free/?week=2026-11-30"' in page
    with clock.frozen(utc(2, 9, minute=10)):
        this_week = client.get("/free/", {"week": "2026-11-30"})
        next_week = client.get("/free/", {"week": "2026-12-07"})
    # The week has begun: the window starts at the next slot of the grid, not in the past.
    assert (this_week.context["report"].start, this_week.context["report"].end) == (utc(2, 9, minute=30), utc(7, 7))
    assert (next_week.context["report"].start, next_week.context["report"].end) == (utc(7, 7), utc(14, 7))
    assert 'value="2026-12-07T07:00"' in next_week.content.decode()  # the fields show the window


def test_demand_page_agrees_with_the_api(member, member_client):
    client = Client()
    client.force_login(member)
    with clock.frozen(utc(9, 9)):
        build_day_lab()
        api = member_client.get(DEMAND, {"weeks": 1}).json()
        page = client.get("/demand/", {"weeks": 1}).content.decode()
    roadm = next(t for t in api["types"] if t["device_type"]["name"] == "ROADM")
    shares = [c["share"] for c in roadm["cells"]]
    assert "<svg" in page and 'role="img"' in page and "heat-legend" in page
    assert "Wed 12–18: 50 % booked (6 of 12 bookable hours)" in page
    assert round(shares[2 * 3 + 1] * 100) == 50


def test_refused_request_suggests_substitutes_and_next_free(member_client):
    """409: each conflict carries up to 3 suggestions with a reason, and the asked device's next free window."""
    with clock.frozen(utc(1, 9)):
        asked = device("ROADM 1", "ROADM", 1, site="Main lab", ports=2)
        spare = device("ROADM 2", "ROADM", 1, site="Main lab", ports=2)
        device("ROADM 3", "ROADM", 1, site="Main lab", ports=1)
        book(asked, utc(3, 10), utc(3, 12))
        response = member_client.post(GROUPS, {"items": [
            {"device": asked.pk, "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"}]}, format="json")
    assert response.status_code == 409
    (conflict,) = response.json()["conflicts"]
    assert conflict["reason"] == "capacity"
    assert [(s["device"]["id"], s["device"]["ports"]) for s in conflict["suggestions"]] == [(spare.pk, 2)]
    assert conflict["suggestions"][0]["reason"].startswith("Same type (ROADM), same site (Main lab)")
    assert conflict["next_free"] == {"start": "2026-12-03T12:00:00+00:00", "end": "2026-12-03T14:00:00+00:00"}


def test_cart_offers_use_this_instead(member):
    with clock.frozen(utc(1, 9)):
        asked = device("ROADM 1", "ROADM", 1, site="Main lab", ports=2)
        spare = device("ROADM 2", "ROADM", 1, site="Main lab", ports=2)
        book(asked, utc(3, 10), utc(3, 12))
        client = Client()
        client.force_login(member)
        session = client.session
        session["booking_cart"] = {"items": [{"device": asked.pk, "start": "2026-12-03T10:00:00+00:00",
                                              "end": "2026-12-03T12:00:00+00:00"}]}
        session.save()
        page = client.get("/cart/").content.decode()
        assert "Use ROADM 2 instead" in page and f'name="device" value="{spare.pk}"' in page
        assert "ROADM 1 itself is next free from Thu 3 Dec 12:00 to Thu 3 Dec 14:00" in page
        client.post("/cart/items/0/replace/", {"device": spare.pk})
        assert client.session["booking_cart"]["items"][0]["device"] == spare.pk
        assert "Use ROADM 2 instead" not in client.get("/cart/").content.decode()
        assert client.post("/cart/items/5/replace/", {"device": spare.pk}).status_code == 302
        assert client.post("/cart/items/0/replace/", {"device": "x"}).status_code == 302


def test_preview_gives_refused_items_the_same_help(member_client):
    with clock.frozen(utc(1, 9)):
        asked = device("ROADM 1", "ROADM", 1, site="Main lab")
        spare = device("ROADM 2", "ROADM", 1, site="Main lab")
        book(asked, utc(3, 10), utc(3, 12))
        rows = member_client.post(GROUPS + "preview/", {"items": [
            {"device": asked.pk, "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"},
            {"device": spare.pk, "start": "2026-12-04T10:00:00Z", "end": "2026-12-04T12:00:00Z"},
        ]}, format="json").json()
    assert [(r["outcome"], [s["device"]["name"] for s in r["suggestions"]]) for r in rows] == [
        ("refused", ["ROADM 2"]), ("free", [])]
    assert rows[0]["next_free"]["start"] == "2026-12-03T12:00:00+00:00" and rows[1]["next_free"] is None
