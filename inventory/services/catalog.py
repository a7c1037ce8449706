"""Writes of the inventory's simple objects: device types, manufacturers, sites, tags, ports, links, PDUs and outlets.

Each write validates the model (`full_clean()`, so constraints a serializer cannot see still give a
400), saves, and leaves an audit event `inventory.<model>.<created|updated|deleted>` in the same
transaction. Deleting a manufacturer, site or tag also writes the history of the devices it leaves.
"""

from typing import Any

from django.db import models, transaction

from core.exceptions import RuleConflict
from core.services.audit import audit_log
from inventory.choices import HistoryAction
from inventory.models import Device, DeviceHistory, DeviceType, Link, Manufacturer, Outlet, Pdu, Port, Site, Tag
from inventory.services.capacity import capacity_lowered, type_capacity_changes

CatalogModel = DeviceType | Manufacturer | Site | Tag | Port | Link | Pdu | Outlet


def _action(instance: models.Model, verb: str) -> str:
    return f"inventory.{instance._meta.model_name}.{verb}"


def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def catalog_object_create(*, model: type[CatalogModel], actor, data: dict[str, Any]) -> CatalogModel:
    """Create one row of `model` from field values. Raises ValidationError."""
    instance = model(**data)
    instance.full_clean()
    instance.save()
    audit_log(actor=actor, action=_action(instance, "created"), target=instance)
    return instance


@transaction.atomic
def catalog_object_update(*, instance: CatalogModel, actor, data: dict[str, Any]) -> CatalogModel:
    """Change some fields; the audit event lists the fields whose value changed (none: no event).
    A lower default capacity of a device type may be refused (ValidationError, see services.capacity)."""
    changed = sorted(field for field, value in data.items() if getattr(instance, field) != value)
    old_default = instance.default_capacity if isinstance(instance, DeviceType) else None
    for field, value in data.items():
        setattr(instance, field, value)
    instance.full_clean()
    instance.save()
    if old_default and instance.default_capacity < old_default:
        capacity_lowered(changes=type_capacity_changes(instance, instance.default_capacity), actor=actor,
                         field="default_capacity")
    if changed:
        audit_log(actor=actor, action=_action(instance, "updated"), target=instance, data={"fields": changed})
    return instance


def _history_for_detached_devices(instance: CatalogModel, actor) -> None:
    """Record on each device the link that deleting `instance` removes (site, manufacturer or tag)."""
    actor = _actor_or_none(actor)
    if isinstance(instance, Tag):
        rows = [DeviceHistory(device_id=d.pk, device_name=d.name, action=HistoryAction.TAG_REMOVED,
                              field="tags", old_value=instance.name, actor=actor)
                for d in instance.devices.only("id", "name")]
    elif isinstance(instance, Manufacturer | Site):
        field = "site" if isinstance(instance, Site) else "manufacturer"
        rows = [DeviceHistory(device_id=d.pk, device_name=d.name, action=HistoryAction.UPDATED,
                              field=field, old_value=instance.name, actor=actor)
                for d in Device.objects.filter(**{field: instance}).only("id", "name")]
    else:
        rows = []
    DeviceHistory.objects.bulk_create(rows)


@transaction.atomic
def catalog_object_delete(*, instance: CatalogModel, actor) -> None:
    """Delete a row. A device type still used by devices is refused with RuleConflict (409)."""
    if isinstance(instance, DeviceType):
        in_use = instance.devices.count()
        if in_use:
            raise RuleConflict(
                f"Device type {instance.name} is used by {in_use} device(s); change their type or delete them first."
            )
    _history_for_detached_devices(instance, actor)
    audit_log(actor=actor, action=_action(instance, "deleted"), target=instance)
    try:
        instance.delete()
    except models.ProtectedError as exc:
        raise RuleConflict(
            f"{instance._meta.verbose_name.capitalize()} {instance} is still in use and cannot be deleted."
        ) from exc
