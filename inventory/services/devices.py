"""Device writes. Every change, from the API, the admin or an import, goes through here so that
it leaves DeviceHistory rows (one per changed field) and an audit event."""

from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from core.exceptions import RuleConflict
from core.services.audit import audit_log
from inventory import signals
from inventory.choices import HistoryAction
from inventory.models import Device, DeviceHistory, Port
from inventory.services.capacity import capacity_lowered

# Fields whose changes are written to the history, in the order they are shown.
TRACKED_FIELDS = (
    "name", "device_type", "manufacturer", "model", "serial_number", "oi_id", "status", "site", "rack",
    "u_position", "hostname", "mgmt_ip", "owner_group", "notes", "capacity",
)


def _display(value: Any) -> str:
    return "" if value is None else str(value)


def device_snapshot(device: Device) -> dict[str, str]:
    """The tracked fields of `device` as display strings, plus its tag names."""
    snapshot = {field: _display(getattr(device, field)) for field in TRACKED_FIELDS}
    snapshot["tags"] = sorted(t.name for t in device.tags.all()) if device.pk else []
    snapshot["effective_capacity"] = device.effective_capacity if device.device_type_id else None
    return snapshot


def device_history_record(*, device: Device, actor, before: dict | None, after: dict) -> list[DeviceHistory]:
    """Write the history rows for the difference between two snapshots (before=None: created).

    A change of status is also announced (inventory.signals.device_status_changed), and a lower
    capacity may be refused (services.capacity.capacity_lowered, ValidationError on `capacity`):
    every device write, the admin's included, passes here once its fields are saved.
    """
    rows: list[DeviceHistory] = []

    def row(action, field="", old="", new=""):
        rows.append(DeviceHistory(device_id=device.pk, device_name=device.name, action=action, field=field,
                                  old_value=old, new_value=new, actor=actor if getattr(actor, "pk", None) else None))

    if before is None:
        row(HistoryAction.CREATED)
        before = {"tags": []}
    else:
        for field in TRACKED_FIELDS:
            if before.get(field) != after.get(field):
                row(HistoryAction.UPDATED, field, before.get(field, ""), after.get(field, ""))
    for tag in sorted(set(after["tags"]) - set(before["tags"])):
        row(HistoryAction.TAG_ADDED, "tags", "", tag)
    for tag in sorted(set(before["tags"]) - set(after["tags"])):
        row(HistoryAction.TAG_REMOVED, "tags", tag, "")
    saved = DeviceHistory.objects.bulk_create(rows)
    if "status" in before and before["status"] != after.get("status"):
        signals.device_status_changed.send(sender=Device, device=device, old_status=before["status"],
                                           new_status=after.get("status"), actor=actor)
    old_capacity, new_capacity = before.get("effective_capacity"), after.get("effective_capacity")
    if old_capacity and new_capacity and new_capacity < old_capacity:
        capacity_lowered(changes=[(device, new_capacity)], actor=actor, field="capacity")
    return saved


def device_changes_record(*, device: Device, actor, before: dict | None) -> list[DeviceHistory]:
    """After a device was saved (tags included): its history rows and its created/updated audit event.

    `before` is the snapshot taken before the change, None for a new device. The admin, which saves
    the form itself, calls this too, so every path records the same rows.
    """
    rows = device_history_record(device=device, actor=actor, before=before, after=device_snapshot(device))
    if before is None:
        audit_log(actor=actor, action="inventory.device.created", target=device)
    elif rows:
        audit_log(actor=actor, action="inventory.device.updated", target=device,
                  data={"fields": sorted({r.field for r in rows})})
    return rows


def _apply(device: Device, data: dict) -> list | None:
    tags = data.pop("tags", None)
    for field, value in data.items():
        setattr(device, field, value)
    device.full_clean()
    device.save()
    if tags is not None:
        device.tags.set(tags)
    return tags


@transaction.atomic
def device_create(*, actor, data: dict) -> Device:
    """Create a device from model field values (`tags` as Tag objects). Raises ValidationError."""
    data = dict(data)
    device = Device(created_by=actor if getattr(actor, "pk", None) else None,
                    updated_by=actor if getattr(actor, "pk", None) else None)
    _apply(device, data)
    device_changes_record(device=device, actor=actor, before=None)
    return device


@transaction.atomic
def device_update(*, device: Device, actor, data: dict) -> Device:
    """Change some fields (and optionally `tags`); a save that changes nothing writes no history."""
    data = dict(data)
    before = device_snapshot(Device.objects.get(pk=device.pk))
    device.updated_by = actor if getattr(actor, "pk", None) else device.updated_by
    _apply(device, data)
    device_changes_record(device=device, actor=actor, before=before)
    return device


@transaction.atomic
def device_delete(*, device: Device, actor) -> None:
    """Delete a device; its history stays, ending with a 'deleted' row. Refused (409) while bookings use it."""
    DeviceHistory.objects.create(device_id=device.pk, device_name=device.name, action=HistoryAction.DELETED,
                                 actor=actor if getattr(actor, "pk", None) else None)
    audit_log(actor=actor, action="inventory.device.deleted", target=device)
    files = [(a.file.storage, a.file.name) for a in device.attachments.all()]
    try:
        device.delete()
    except ProtectedError as exc:
        patched = [obj for obj in exc.protected_objects if isinstance(obj, Port)]
        if patched:
            raise RuleConflict(
                f"{device.name} is the switch of {len(patched)} port(s) (e.g. {patched[0].name}); "
                "patch them elsewhere or clear their switch first."
            ) from exc
        raise RuleConflict(
            f"{device.name} is referenced by bookings and cannot be deleted; set its status to retired instead."
        ) from exc
    # Attachment rows go with the device (cascade); their files go once that is committed.
    for storage, name in files:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
