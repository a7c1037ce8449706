"""Lowering devices' capacity: asks the apps above the inventory (the scheduler) whether it may.

Every write that can lower a device's effective capacity (its `capacity` override, its type, or
its type's `default_capacity`) calls `capacity_lowered` after saving, inside its transaction;
forms call `capacity_refusals` first to show the reason next to the field. Both send the signals
of `inventory.signals`, so the inventory never imports the scheduler.
"""

from django.core.exceptions import ValidationError

from inventory import signals
from inventory.models import Device, DeviceType


def capacity_refusals(changes: list[tuple[Device, int]]) -> list[str]:
    """Why the devices cannot go down to the given capacities; empty when they can."""
    changes = [(device, capacity) for device, capacity in changes if device.pk]
    if not changes:
        return []
    replies = signals.device_capacity_check.send(sender=Device, changes=changes)
    return [message for _, messages in replies for message in (messages or [])]


def capacity_lowered(*, changes: list[tuple[Device, int]], actor, field: str) -> None:
    """After a save lowered capacities: receivers may refuse (ValidationError on `field`)."""
    if not changes:
        return
    try:
        signals.device_capacity_lowered.send(sender=Device, changes=changes, actor=actor)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from exc


def type_capacity_changes(device_type: DeviceType, new_default: int) -> list[tuple[Device, int]]:
    """The devices that follow `device_type`'s default capacity, with `new_default`."""
    return [(device, new_default) for device in device_type.devices.filter(capacity__isnull=True).order_by("pk")]


def device_effective_capacity(*, capacity: int | None, device_type: DeviceType | None) -> int | None:
    """What a device's capacity would be with these field values (None: no type yet)."""
    if capacity:
        return capacity
    return device_type.default_capacity if device_type else None
