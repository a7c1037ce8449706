"""Device history written by API edits: one row per changed field, kept after the device is deleted."""

import pytest

from inventory.models import DeviceHistory
from inventory.tests.api.routes import url
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, SiteFactory, TagFactory


def _create(client, **extra):
    payload = {"name": "roadm-1", "device_type": DeviceTypeFactory(name="ROADM").pk, **extra}
    response = client.post(url("devices"), payload, format="json")
    assert response.status_code == 201, response.data
    return response.data["id"]


def _rows(client, pk):
    response = client.get(url("devices", pk, "history"))
    assert response.status_code == 200, response.data
    return [(r["action"], r["field"], r["old_value"], r["new_value"]) for r in reversed(response.data["results"])]


def test_create_writes_a_created_row_and_its_tags(manager_client, manager):
    red = TagFactory(name="red")
    pk = _create(manager_client, tags=[red.pk])
    assert _rows(manager_client, pk) == [("created", "", "", ""), ("tag_added", "tags", "", "red")]
    row = manager_client.get(url("devices", pk, "history")).data["results"][0]
    assert row["actor"] == {"id": manager.pk, "username": "manager"}
    assert row["device"] == pk and row["device_name"] == "roadm-1"


def test_patch_writes_one_row_per_changed_field(manager_client):
    pk = _create(manager_client, rack="R1")
    site = SiteFactory(name="Lab A")
    manager_client.patch(url("devices", pk), {"rack": "R2", "status": "maintenance", "site": site.pk,
                                              "hostname": ""}, format="json")
    assert _rows(manager_client, pk)[1:] == [
        ("updated", "status", "available", "maintenance"),
        ("updated", "site", "", "Lab A"),
        ("updated", "rack", "R1", "R2"),
    ]


def test_no_op_patch_writes_no_history(manager_client):
    """Sending the values a device already has changes nothing and records nothing."""
    red = TagFactory(name="red")
    pk = _create(manager_client, rack="R1", tags=[red.pk])
    before = DeviceHistory.objects.count()
    response = manager_client.patch(url("devices", pk), {"rack": "R1", "name": "roadm-1", "tags": [red.pk]},
                                    format="json")
    assert response.status_code == 200
    assert DeviceHistory.objects.count() == before


def test_tag_changes_are_rows(manager_client):
    red, blue = TagFactory(name="red"), TagFactory(name="blue")
    pk = _create(manager_client, tags=[red.pk])
    manager_client.patch(url("devices", pk), {"tags": [blue.pk]}, format="json")
    assert _rows(manager_client, pk)[2:] == [("tag_added", "tags", "", "blue"), ("tag_removed", "tags", "red", "")]


def test_history_is_kept_and_readable_after_delete(manager_client, member_client):
    """Deleting a device adds a 'deleted' row; its history still answers by the old id."""
    pk = _create(manager_client)
    manager_client.patch(url("devices", pk), {"rack": "R9"}, format="json")
    assert manager_client.delete(url("devices", pk)).status_code == 204
    assert [r[0] for r in _rows(member_client, pk)] == ["created", "updated", "deleted"]


def test_deleting_a_tag_or_site_is_recorded_on_its_devices(manager_client):
    red, site = TagFactory(name="red"), SiteFactory(name="Lab A")
    pk = _create(manager_client, tags=[red.pk], site=site.pk)
    assert manager_client.delete(url("tags", red.pk)).status_code == 204
    assert manager_client.delete(url("sites", site.pk)).status_code == 204
    assert _rows(manager_client, pk)[-2:] == [("tag_removed", "tags", "red", ""), ("updated", "site", "Lab A", "")]


def test_history_is_paginated(manager_client):
    pk = _create(manager_client)
    for rack in "ABCDE":
        manager_client.patch(url("devices", pk), {"rack": rack}, format="json")
    response = manager_client.get(url("devices", pk, "history"), {"limit": 2})
    assert response.data["count"] == 6
    assert [r["new_value"] for r in response.data["results"]] == ["E", "D"]


def test_history_of_an_unknown_device_is_a_404(member_client):
    assert member_client.get(url("devices", 999999, "history")).status_code == 404


def test_history_needs_a_signed_in_user(anon_client, manager_client):
    pk = _create(manager_client)
    assert anon_client.get(url("devices", pk, "history")).status_code == 401


@pytest.mark.parametrize("n", [5, 50])
def test_history_costs_the_same_queries_for_5_and_50_rows(member_client, manager, django_assert_num_queries, n):
    """exists, count, page: the actor comes with each row."""
    device = DeviceFactory()
    DeviceHistory.objects.bulk_create(DeviceHistory(device_id=device.pk, device_name=device.name, action="updated",
                                                    field="rack", new_value=str(i), actor=manager) for i in range(n))
    with django_assert_num_queries(3):
        response = member_client.get(url("devices", device.pk, "history"), {"limit": 100})
    assert response.data["count"] == n
