"""Inventory totals, with zero counts for statuses, types and sites without devices."""

from inventory.choices import DeviceStatus
from inventory.tests.api.routes import url
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, SiteFactory


def test_stats_count_by_status_type_and_site_including_zeros(member_client, django_assert_max_num_queries):
    roadm, osa = DeviceTypeFactory(name="ROADM"), DeviceTypeFactory(name="OSA")
    a, b = SiteFactory(name="Lab A"), SiteFactory(name="Lab B")
    DeviceFactory.create_batch(2, device_type=roadm, site=a)
    DeviceFactory(device_type=roadm, status="maintenance")
    with django_assert_max_num_queries(4):
        data = member_client.get(url("stats")).data
    assert data["total"] == 3
    assert [(s["status"], s["count"]) for s in data["by_status"]] == [
        (value, {"available": 2, "maintenance": 1}.get(value, 0)) for value in DeviceStatus.values]
    assert data["by_status"][0]["label"] == "Available"
    assert data["by_device_type"] == [{"id": osa.pk, "name": "OSA", "count": 0},
                                      {"id": roadm.pk, "name": "ROADM", "count": 3}]
    assert data["by_site"] == [{"id": a.pk, "name": "Lab A", "count": 2}, {"id": b.pk, "name": "Lab B", "count": 0}]
    assert data["without_site"] == 1


def test_stats_of_an_empty_lab(member_client):
    data = member_client.get(url("stats")).data
    assert data["total"] == 0 and data["without_site"] == 0
    assert {s["count"] for s in data["by_status"]} == {0}
    assert data["by_device_type"] == [] and data["by_site"] == []
