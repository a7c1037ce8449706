"""A member's saved device sets."""

from collections.abc import Sequence

from django.db import transaction

from core.exceptions import ApplicationError, NotAllowed
from core.services.audit import audit_log
from inventory.models import Device
from scheduler.models import Favorite

MAX_FAVORITE_DEVICES = 500


def _favorite_validate(*, owner, name: str, devices: Sequence[Device], exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the favorite a name.", {"name": ["This field may not be blank."]})
    if not devices:
        raise ApplicationError("Pick at least one device for the favorite.", {"devices": ["Pick at least one device."]})
    if len(devices) > MAX_FAVORITE_DEVICES:
        raise ApplicationError(f"A favorite holds at most {MAX_FAVORITE_DEVICES} devices.")
    clash = Favorite.objects.filter(owner=owner, name=name).exclude(pk=exclude_pk)
    if clash.exists():
        raise ApplicationError(
            f"You already have a favorite named {name!r}; pick another name.",
            {"name": ["You already have a favorite with this name."]},
        )
    return name


def _favorite_data(favorite: Favorite, devices: Sequence[Device]) -> dict:
    return {"name": favorite.name, "devices": sorted(d.pk for d in devices)}


@transaction.atomic
def favorite_create(*, owner, name: str, devices: Sequence[Device]) -> Favorite:
    """Save `devices` under `name` for `owner`."""
    devices = list(dict.fromkeys(devices))
    name = _favorite_validate(owner=owner, name=name, devices=devices)
    favorite = Favorite.objects.create(owner=owner, name=name)
    favorite.devices.set(devices)
    audit_log(actor=owner, action="scheduler.favorite.created", target=favorite, data=_favorite_data(favorite, devices))
    return favorite


@transaction.atomic
def favorite_update(*, favorite: Favorite, actor, name: str | None = None, devices: Sequence[Device] | None = None) -> Favorite:
    """Rename a favorite and/or replace its devices. Only its owner may."""
    if favorite.owner_id != actor.pk:
        raise NotAllowed("Only the owner of a favorite may change it.")
    devices = list(dict.fromkeys(devices)) if devices is not None else list(favorite.devices.all())
    name = _favorite_validate(
        owner=actor, name=favorite.name if name is None else name, devices=devices, exclude_pk=favorite.pk
    )
    favorite.name = name
    favorite.save(update_fields=["name"])
    favorite.devices.set(devices)
    audit_log(actor=actor, action="scheduler.favorite.updated", target=favorite, data=_favorite_data(favorite, devices))
    return favorite


@transaction.atomic
def favorite_delete(*, favorite: Favorite, actor) -> None:
    """Delete a favorite. Only its owner may."""
    if favorite.owner_id != actor.pk:
        raise NotAllowed("Only the owner of a favorite may delete it.")
    audit_log(actor=actor, action="scheduler.favorite.deleted", target=favorite, data={"name": favorite.name})
    favorite.delete()
