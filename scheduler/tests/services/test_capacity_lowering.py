"""Lowering a device's capacity below the overlap depth of its bookings still to come is refused,
in the API and in the admin, with a message naming the sessions that hold the units beyond it;
a lower capacity that fits renumbers the units within it."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from inventory.models import Device, DeviceType
from inventory.services.devices import device_update
from inventory.tests.admin.conftest import admin_form_data
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler.choices import BookingStatus as S
from scheduler.models import Booking
from scheduler.services.booking import booking_cancel
from scheduler.tests.conftest import at, request_one
from scheduler.tests.factories import BookingFactory

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def admin_browser(client, manager):
    manager.is_staff = True
    manager.save()
    client.force_login(manager)
    return client


@pytest.fixture
def shared(member, other_member, roadm):
    """ROADM 3 (capacity 2 from its type) with two overlapping requests of two members."""
    first = request_one(member, roadm, at(10), at(12))
    second = request_one(other_member, roadm, at(11), at(13))
    return first, second


def test_api_refuses_a_capacity_below_the_overlap(manager_client, roadm, shared):
    _, second = shared
    response = manager_client.patch(f"/api/inventory/devices/{roadm.pk}/", {"capacity": 1}, format="json")
    assert response.status_code == 400, response.content
    message = " ".join(response.json()["capacity"]) if "capacity" in response.json() else str(response.json())
    assert f"session {second.group_id} of other" in message
    assert "ROADM 3 cannot go down to a capacity of 1" in message
    roadm.refresh_from_db()
    assert roadm.capacity is None


def test_after_a_cancel_the_capacity_goes_down_and_units_follow(manager_client, member, roadm, shared):
    """Cancelling the booking holding unit 1 leaves the other on unit 2: lowering to 1 renumbers it."""
    first, second = shared
    booking_cancel(booking=first, actor=member)
    response = manager_client.patch(f"/api/inventory/devices/{roadm.pk}/", {"capacity": 1}, format="json")
    assert response.status_code == 200, response.content
    second.refresh_from_db()
    assert second.unit == 1
    assert AuditEvent.objects.filter(action="scheduler.device.units_renumbered", target_id=str(roadm.pk)).exists()


def test_overlaps_that_have_ended_do_not_block(manager_client, roadm):
    """Confirmed bookings stay confirmed after they end; only the bookings still to come count."""
    BookingFactory(device=roadm, start=at(6, day=1), end=at(8, day=1), status=S.CONFIRMED)
    BookingFactory(device=roadm, start=at(7, day=1), end=at(8, day=1), status=S.CONFIRMED)
    response = manager_client.patch(f"/api/inventory/devices/{roadm.pk}/", {"capacity": 1}, format="json")
    assert response.status_code == 200, response.content


def test_a_new_type_with_a_lower_default_is_refused_too(manager_client, roadm, shared):
    single = DeviceTypeFactory(name="Single", default_capacity=1)
    response = manager_client.patch(f"/api/inventory/devices/{roadm.pk}/", {"device_type": single.pk}, format="json")
    assert response.status_code == 400, response.content
    assert Device.objects.get(pk=roadm.pk).device_type_id == roadm.device_type_id


def test_api_refuses_a_type_default_below_the_overlap(manager_client, roadm, shared):
    """Devices that follow their type's default are checked when the default goes down."""
    kind = roadm.device_type
    DeviceFactory(name="ROADM 4", device_type=kind, capacity=5)  # its own capacity: not affected
    response = manager_client.patch(f"/api/inventory/device-types/{kind.pk}/", {"default_capacity": 1}, format="json")
    assert response.status_code == 400, response.content
    assert "ROADM 3 cannot go down" in str(response.json()["default_capacity"])
    assert DeviceType.objects.get(pk=kind.pk).default_capacity == 2


def test_the_service_refuses_under_the_lock(manager, roadm, shared):
    """Every path (the CSV import too) goes through device_update: the refusal is a ValidationError."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        device_update(device=roadm, actor=manager, data={"capacity": 1})
    assert "capacity" in excinfo.value.message_dict


def test_admin_shows_the_refusal_on_the_field(admin_browser, roadm, shared):
    _, second = shared
    url = reverse("admin:inventory_device_change", args=[roadm.pk])
    data = admin_form_data(admin_browser.get(url))
    data["capacity"] = "1"
    response = admin_browser.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors["capacity"]
    assert f"session {second.group_id} of other" in " ".join(errors)
    assert Device.objects.get(pk=roadm.pk).capacity is None


def test_admin_device_type_default_refused_then_allowed(admin_browser, member, roadm, shared):
    first, _ = shared
    kind = roadm.device_type
    url = reverse("admin:inventory_devicetype_change", args=[kind.pk])
    data = admin_form_data(admin_browser.get(url))
    data["default_capacity"] = "1"
    response = admin_browser.post(url, data)
    assert response.status_code == 200
    assert "ROADM 3 cannot go down" in " ".join(response.context["adminform"].form.errors["default_capacity"])
    booking_cancel(booking=first, actor=member)
    response = admin_browser.post(url, data)
    assert response.status_code == 302
    assert DeviceType.objects.get(pk=kind.pk).default_capacity == 1
    assert set(Booking.objects.filter(status__in=(S.PENDING, S.CONFLICTING)).values_list("unit", flat=True)) == {1}


def test_raising_the_capacity_changes_no_unit(manager_client, roadm, shared):
    response = manager_client.patch(f"/api/inventory/devices/{roadm.pk}/", {"capacity": 3}, format="json")
    assert response.status_code == 200
    assert sorted(Booking.objects.values_list("unit", flat=True)) == [1, 2]
    assert not AuditEvent.objects.filter(action="scheduler.device.units_renumbered").exists()


def test_csv_import_reports_the_refusal_on_the_row(manager, roadm, shared):
    """Export, set ROADM 3's capacity to 1, import: a row error naming the session, nothing changed."""
    import csv
    import io

    from inventory.services.csv_export import devices_export_csv
    from inventory.services.csv_import import devices_import_csv

    _, second = shared
    rows = list(csv.DictReader(io.StringIO(devices_export_csv())))
    for row in rows:
        if row["name"] == "ROADM 3":
            row["capacity"] = "1"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    result = devices_import_csv(text=out.getvalue(), actor=manager)
    assert not result.ok
    assert any(f"session {second.group_id} of other" in error.message for error in result.errors), result.errors
    assert Device.objects.get(pk=roadm.pk).capacity is None
