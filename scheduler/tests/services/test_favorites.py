"""A member's saved device sets."""

import pytest

from core.exceptions import ApplicationError, NotAllowed
from core.models import AuditEvent
from inventory.tests.factories import DeviceFactory
from scheduler.services.favorites import favorite_create, favorite_delete, favorite_update

pytestmark = pytest.mark.django_db


def test_create_saves_devices_and_audits(member):
    devices = [DeviceFactory(), DeviceFactory()]
    favorite = favorite_create(owner=member, name=" Ring A ", devices=devices + devices[:1])
    assert favorite.name == "Ring A"
    assert set(favorite.devices.all()) == set(devices)
    event = AuditEvent.objects.get(action="scheduler.favorite.created")
    assert event.actor == member
    assert event.data == {"name": "Ring A", "devices": sorted(d.pk for d in devices)}


def test_names_are_unique_per_owner(member, other_member):
    device = DeviceFactory()
    favorite_create(owner=member, name="Ring", devices=[device])
    favorite_create(owner=other_member, name="Ring", devices=[device])
    with pytest.raises(ApplicationError, match="already have a favorite named 'Ring'"):
        favorite_create(owner=member, name="Ring", devices=[device])


def test_blank_name_or_no_devices_is_refused(member):
    with pytest.raises(ApplicationError):
        favorite_create(owner=member, name="  ", devices=[DeviceFactory()])
    with pytest.raises(ApplicationError):
        favorite_create(owner=member, name="x", devices=[])


def test_only_the_owner_updates_or_deletes(member, other_member):
    favorite = favorite_create(owner=member, name="Ring", devices=[DeviceFactory()])
    with pytest.raises(NotAllowed):
        favorite_update(favorite=favorite, actor=other_member, name="Mine")
    with pytest.raises(NotAllowed):
        favorite_delete(favorite=favorite, actor=other_member)
    new_device = DeviceFactory()
    favorite_update(favorite=favorite, actor=member, name="Ring B", devices=[new_device])
    favorite.refresh_from_db()
    assert (favorite.name, list(favorite.devices.all())) == ("Ring B", [new_device])
    favorite_delete(favorite=favorite, actor=member)
    assert AuditEvent.objects.filter(action__startswith="scheduler.favorite.").count() == 3
