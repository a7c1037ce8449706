"""Errors the serializers cannot see still come back as 4xx: model constraints, races, protected rows."""

from django.db import IntegrityError
from django.db.models import ProtectedError

from inventory.api import serializers, views
from inventory.models import Device, DeviceHistory, Port
from inventory.tests.api.routes import url
from inventory.tests.factories import DeviceFactory, PortFactory


def test_model_constraint_missed_by_the_serializer_is_a_400(manager_client, monkeypatch):
    """full_clean() in the service backs up the serializer: the case-insensitive label rule still holds."""
    monkeypatch.setattr(serializers.PortWriteSerializer, "validate_name", lambda self, value: value)
    PortFactory(name="tf_1")
    response = manager_client.post(url("ports"), {"device": DeviceFactory().pk, "name": "TF_1"}, format="json")
    assert response.status_code == 400
    assert "unique in any case" in response.data["non_field_errors"][0]
    assert Port.objects.count() == 1


def test_duplicate_saved_at_the_same_moment_is_a_400(manager_client, monkeypatch):
    """A unique violation raised by the database (a race the checks could not see) is not a 500."""
    def racing_create(*, actor, data):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(views, "device_create", racing_create)
    device_type = DeviceFactory().device_type
    response = manager_client.post(url("devices"), {"name": "n", "device_type": device_type.pk}, format="json")
    assert response.status_code == 400
    assert "try again" in response.data["non_field_errors"][0]


def test_deleting_a_device_still_referenced_is_a_409(manager_client, monkeypatch):
    """Bookings protect their device; the refusal says what to do instead."""
    device = DeviceFactory(name="roadm-1")

    def protected(self, *args, **kwargs):
        raise ProtectedError("referenced", set())

    monkeypatch.setattr(Device, "delete", protected)
    response = manager_client.delete(url("devices", device.pk))
    assert response.status_code == 409
    assert "retired" in response.data["detail"]
    assert not DeviceHistory.objects.filter(device_id=device.pk).exists()


def test_device_list_ordering(member_client):
    DeviceFactory(name="b", status="spare")
    DeviceFactory(name="a", status="available")
    DeviceFactory(name="c", status="available")
    names = lambda r: [d["name"] for d in r.data["results"]]  # noqa: E731
    assert names(member_client.get(url("devices"), {"ordering": "-name"})) == ["c", "b", "a"]
    assert names(member_client.get(url("devices"), {"ordering": "status,-name"})) == ["c", "a", "b"]
    assert member_client.get(url("devices"), {"ordering": "password"}).status_code == 200
