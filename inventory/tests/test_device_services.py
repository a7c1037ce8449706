import pytest

from inventory.models import DeviceHistory
from inventory.services.devices import device_create, device_delete, device_update
from inventory.tests.factories import DeviceTypeFactory, TagFactory


@pytest.fixture
def device(member):
    return device_create(actor=member, data={"name": "roadm-1", "device_type": DeviceTypeFactory(name="ROADM")})


def test_update_writes_one_row_per_changed_field(device, member):
    """Each changed field is one history row with its old and new value."""
    device_update(device=device, actor=member, data={"rack": "R2", "hostname": "roadm1.lab"})
    rows = {r.field: (r.old_value, r.new_value) for r in DeviceHistory.objects.filter(device=device, action="updated")}
    assert rows == {"rack": ("", "R2"), "hostname": ("", "roadm1.lab")}


def test_save_that_changes_nothing_writes_no_history(device, member):
    count = DeviceHistory.objects.count()
    device_update(device=device, actor=member, data={"rack": ""})
    assert DeviceHistory.objects.count() == count


def test_tags_and_delete_are_kept_in_history(device, member):
    tag = TagFactory(name="c-band")
    device_update(device=device, actor=member, data={"tags": [tag]})
    pk = device.pk
    device_delete(device=device, actor=member)
    actions = list(DeviceHistory.objects.filter(device_id=pk).order_by("id").values_list("action", flat=True))
    assert actions == ["created", "tag_added", "deleted"]
