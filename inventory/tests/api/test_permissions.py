"""The permission matrix of every inventory resource: anonymous, member, manager."""

import pytest

from core.models import AuditEvent
from inventory.tests.api.routes import url
from inventory.tests.factories import (
    DeviceFactory,
    DeviceTypeFactory,
    ManufacturerFactory,
    PortFactory,
    SiteFactory,
    TagFactory,
)


def _device_payload():
    return {"name": "roadm-new", "device_type": DeviceTypeFactory(name="ROADM").pk}


def _port_payload():
    return {"name": "tf_new", "device": DeviceFactory().pk, "switch_in": 901, "switch_out": 902}


# resource -> (factory for an existing row, payload for a create, patch for an update)
RESOURCES = {
    "device-types": (DeviceTypeFactory, lambda: {"name": "OSA", "category": "OPTICAL"}, {"description": "x"}),
    "manufacturers": (ManufacturerFactory, lambda: {"name": "Adtran"}, {"notes": "x"}),
    "sites": (SiteFactory, lambda: {"name": "Lab B"}, {"address": "x"}),
    "tags": (TagFactory, lambda: {"name": "fragile", "color": "#ff0000"}, {"description": "x"}),
    "devices": (DeviceFactory, _device_payload, {"notes": "x"}),
    "ports": (PortFactory, _port_payload, {"description": "x"}),
}

# role -> expected status for list, retrieve, create, update, delete
MATRIX = {
    "anonymous": (401, 401, 401, 401, 401),
    "member": (200, 200, 403, 403, 403),
    "manager": (200, 200, 201, 200, 204),
}


@pytest.mark.parametrize("role", MATRIX)
@pytest.mark.parametrize("resource", RESOURCES)
def test_permission_matrix(clients, resource, role):
    """Any signed-in user reads; only holders of the model permissions (managers) write; anonymous is refused."""
    factory, payload, patch = RESOURCES[resource]
    obj = factory()
    client = clients[role]
    expected = MATRIX[role]
    got = (
        client.get(url(resource)).status_code,
        client.get(url(resource, obj.pk)).status_code,
        client.post(url(resource), payload(), format="json").status_code,
        client.patch(url(resource, obj.pk), patch, format="json").status_code,
        client.delete(url(resource, obj.pk)).status_code,
    )
    assert got == expected


@pytest.mark.parametrize("resource", RESOURCES)
def test_every_write_leaves_an_audit_event(manager_client, manager, resource):
    """Create, update and delete of each resource are each recorded in the audit log with the actor."""
    factory, payload, patch = RESOURCES[resource]
    obj = factory()
    created = manager_client.post(url(resource), payload(), format="json")
    assert created.status_code == 201, created.data
    assert manager_client.patch(url(resource, obj.pk), patch, format="json").status_code == 200
    assert manager_client.delete(url(resource, obj.pk)).status_code == 204
    actions = [a.split(".")[-1] for a in AuditEvent.objects.filter(actor=manager).values_list("action", flat=True)]
    assert sorted(actions) == ["created", "deleted", "updated"]


@pytest.mark.parametrize("path", ["stats", "attachments"])
def test_read_only_endpoints_need_a_signed_in_user(clients, path):
    """Stats and the attachment list answer members and managers, not anonymous callers."""
    assert clients["anonymous"].get(url(path)).status_code == 401
    assert clients["member"].get(url(path)).status_code == 200
    assert clients["manager"].get(url(path)).status_code == 200
