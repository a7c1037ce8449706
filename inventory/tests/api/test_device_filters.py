"""Device list filters, the `q` search and the list's constant query count."""

import pytest

from inventory.models import Attachment
from inventory.tests.api.routes import url
from inventory.tests.factories import (
    DeviceFactory,
    DeviceTypeFactory,
    ManufacturerFactory,
    PortFactory,
    SiteFactory,
    TagFactory,
)


def names(response) -> list[str]:
    assert response.status_code == 200, response.data
    return sorted(d["name"] for d in response.data["results"])


@pytest.fixture
def lab(db):
    roadm = DeviceTypeFactory(name="ROADM")
    edfa = DeviceTypeFactory(name="EDFA")
    fiber = DeviceTypeFactory(name="Fiber", is_schedulable=False)
    a, b = SiteFactory(name="Lab A"), SiteFactory(name="Lab B")
    red, blue = TagFactory(name="red"), TagFactory(name="blue")
    r1 = DeviceFactory(name="roadm-1", device_type=roadm, site=a, serial_number="SN-AAA", oi_id="OI-0001",
                       hostname="roadm1.lab", mgmt_ip="10.10.0.1")
    r2 = DeviceFactory(name="roadm-2", device_type=roadm, site=b, status="maintenance", mgmt_ip="2001:db8::7")
    e1 = DeviceFactory(name="edfa-1", device_type=edfa, site=a, oi_id="OI-0002")
    f1 = DeviceFactory(name="reel-3", device_type=fiber)
    r1.tags.add(red, blue)
    e1.tags.add(blue)
    PortFactory(device=r1, name="roadm_1_p1")
    PortFactory(device=r1, name="roadm_1_p2")
    PortFactory(device=f1, name="tf_1")
    return {"roadm": roadm, "edfa": edfa, "a": a, "b": b, "red": red, "blue": blue, "r1": r1, "r2": r2}


def test_filter_by_device_type(member_client, lab):
    assert names(member_client.get(url("devices"), {"device_type": lab["roadm"].pk})) == ["roadm-1", "roadm-2"]


def test_filter_by_several_types_matches_any(member_client, lab):
    query = {"device_type": [lab["roadm"].pk, lab["edfa"].pk]}
    assert names(member_client.get(url("devices"), query)) == ["edfa-1", "roadm-1", "roadm-2"]


def test_filter_by_status(member_client, lab):
    assert names(member_client.get(url("devices"), {"status": "maintenance"})) == ["roadm-2"]


def test_filter_by_site(member_client, lab):
    assert names(member_client.get(url("devices"), {"site": lab["a"].pk})) == ["edfa-1", "roadm-1"]


def test_filter_by_tag_lists_each_device_once(member_client, lab):
    """Two matching tags on one device still give one row, and the count agrees."""
    response = member_client.get(url("devices"), {"tag": [lab["red"].pk, lab["blue"].pk]})
    assert names(response) == ["edfa-1", "roadm-1"]
    assert response.data["count"] == 2


def test_filter_bookable(member_client, lab):
    """Bookable: available and of a schedulable type."""
    assert names(member_client.get(url("devices"), {"bookable": "true"})) == ["edfa-1", "roadm-1"]
    assert names(member_client.get(url("devices"), {"bookable": "false"})) == ["reel-3", "roadm-2"]


def test_filters_combine(member_client, lab):
    query = {"site": lab["a"].pk, "tag": lab["red"].pk}
    assert names(member_client.get(url("devices"), query)) == ["roadm-1"]


@pytest.mark.parametrize("query", [{"device_type": 0}, {"site": "abc"}, {"status": "broken"}, {"tag": "1.5"},
                                   {"manufacturer": "x"}, {"site": 2**63}, {"bookable": "-1.5e308"}])
def test_bad_filter_values_are_a_400(member_client, lab, query):
    """Values that are not what the filter documents are a 400 naming the filter, never a 500 or ignored."""
    response = member_client.get(url("devices"), query)
    assert response.status_code == 400
    assert set(response.data) == set(query)


@pytest.mark.parametrize("query", [{"device_type": 999999}, {"tag": 999999}, {"site": 2**63 - 1}])
def test_ids_that_name_nothing_match_nothing(member_client, lab, query):
    """A well-formed id of no row is a valid question with an empty answer."""
    response = member_client.get(url("devices"), query)
    assert response.status_code == 200 and response.data["results"] == []


@pytest.mark.parametrize("query", [{"limit": "many"}, {"offset": "x"}, {"limit": 0}, {"limit": 1001}, {"offset": -1},
                                   {"limit": "1.5"}])
def test_bad_paging_values_are_a_400(member_client, lab, query):
    """Paging that is not a whole number in range is refused, not silently replaced by the default."""
    response = member_client.get(url("devices"), query)
    assert response.status_code == 400
    assert set(response.data) == set(query)


@pytest.mark.parametrize(("q", "expected"), [
    ("roadm-", ["roadm-1", "roadm-2"]),
    ("ROADM-1", ["roadm-1"]),
    ("sn-aaa", ["roadm-1"]),
    ("oi-0002", ["edfa-1"]),
    ("roadm1.LAB", ["roadm-1"]),
    ("10.10.0", ["roadm-1"]),
    ("2001:db8", ["roadm-2"]),
    ("TF_1", ["reel-3"]),
    ("roadm_1_p", ["roadm-1"]),
    ("edfa, reel", ["edfa-1", "reel-3"]),
    (" , ", ["edfa-1", "reel-3", "roadm-1", "roadm-2"]),
    ("nothing-like-this", []),
])
def test_q_searches_name_ids_hostname_ip_and_port_labels(member_client, lab, q, expected):
    """q matches any comma-separated term, case-insensitively, in name, asset id, serial, hostname, IP and ports."""
    assert names(member_client.get(url("devices"), {"q": q})) == expected


def test_q_matching_several_ports_gives_one_row_and_the_right_count(member_client, lab):
    """roadm-1 has two ports matching `roadm_1`; it is listed once and counted once."""
    response = member_client.get(url("devices"), {"q": "roadm_1,roadm-1", "limit": 1})
    assert response.data["count"] == 1
    assert [d["name"] for d in response.data["results"]] == ["roadm-1"]


def test_list_is_paginated_with_limit_and_offset(member_client, lab):
    response = member_client.get(url("devices"), {"limit": 2, "offset": 1})
    assert response.data["count"] == 4
    assert len(response.data["results"]) == 2
    assert response.data["next"] and response.data["previous"]


def _make_devices(n: int) -> None:
    for i in range(n):
        device = DeviceFactory(site=SiteFactory(name=f"S{i % 3}"), device_type=DeviceTypeFactory(name=f"T{i % 4}"),
                               manufacturer=ManufacturerFactory(name=f"M{i % 2}"))
        Attachment.objects.create(device=device, file=f"attachments/{i}.pdf", original_name=f"{i}.pdf", size=1)
        device.tags.add(TagFactory(name=f"t{i % 5}"), TagFactory(name=f"u{i % 2}"))
        PortFactory(device=device)
        PortFactory(device=device)


# count, page, tags, ports (authentication is forced in tests, so no session or token query)
DEVICE_LIST_QUERIES = 4


@pytest.mark.parametrize("n", [5, 50])
def test_device_list_costs_the_same_queries_for_5_and_50_devices(member_client, django_assert_num_queries, n):
    """select_related/prefetch_related match the serializer: no query per device."""
    _make_devices(n)
    with django_assert_num_queries(DEVICE_LIST_QUERIES):
        response = member_client.get(url("devices"), {"limit": 100})
    assert len(response.data["results"]) == n


@pytest.mark.parametrize("n", [5, 50])
def test_device_search_costs_the_same_queries_for_5_and_50_devices(member_client, django_assert_num_queries, n):
    _make_devices(n)
    tag = TagFactory(name="t1")
    # A tag id filters in the same queries (it is not looked up first).
    with django_assert_num_queries(DEVICE_LIST_QUERIES):
        response = member_client.get(url("devices"), {"limit": 100, "q": "device,port", "tag": tag.pk})
    assert response.status_code == 200


@pytest.mark.parametrize("resource", ["device-types", "manufacturers", "sites", "tags", "ports", "attachments"])
@pytest.mark.parametrize("n", [5, 50])
def test_other_lists_cost_the_same_queries_for_5_and_50_rows(member_client, django_assert_num_queries, resource, n):
    """Every inventory list is two queries (count and page), whatever its length."""
    _make_devices(n)
    with django_assert_num_queries(2):
        assert member_client.get(url(resource), {"limit": 500}).status_code == 200
