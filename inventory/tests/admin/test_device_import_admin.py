from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.tests.factories import UserFactory
from inventory.models import Device
from inventory.tests.factories import DeviceTypeFactory

IMPORT = reverse("admin:inventory_device_import")
GOOD = b"name,device_type,serial_number\nROADM 1,ROADM,S1\nROADM 2,ROADM,S2\n"
BAD = b"name,device_type,serial_number\nROADM 1,ROADM,S1\n,ROADM,S1\nROADM 3,Toaster,\n"


def _upload(client, content, **extra):
    return client.post(IMPORT, {"file": SimpleUploadedFile("devices.csv", content, content_type="text/csv"), **extra})


def test_import_page_renders_with_csrf_form(manager_browser):
    response = manager_browser.get(IMPORT)
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"csrfmiddlewaretoken" in response.content


def test_import_page_imports_good_file(manager_browser, staff_manager):
    """A good upload imports every row and returns to the device list with a summary."""
    DeviceTypeFactory(name="ROADM")
    response = _upload(manager_browser, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:inventory_device_changelist")
    assert sorted(Device.objects.values_list("name", "created_by")) == [("ROADM 1", staff_manager.pk), ("ROADM 2", staff_manager.pk)]
    page = manager_browser.get(response["Location"])
    assert b"Imported 2 device(s): 2 created" in page.content


def test_import_page_lists_every_bad_row_and_imports_nothing(manager_browser):
    DeviceTypeFactory(name="ROADM")
    response = _upload(manager_browser, BAD)
    assert response.status_code == 200
    errors = [str(e) for e in response.context["result"].errors]
    assert errors == ["line 3: name is missing", "line 4: unknown device type 'Toaster'; create it in the admin first"]
    assert b"line 4: unknown device type" in response.content
    assert Device.objects.count() == 0


def test_import_page_dry_run_stays_on_page(manager_browser):
    DeviceTypeFactory(name="ROADM")
    response = _upload(manager_browser, GOOD, dry_run="on")
    assert response.status_code == 200
    assert b"Would import 2 device(s)" in response.content
    assert Device.objects.count() == 0


def test_import_page_refuses_users_without_device_permissions(browser_for, member):
    """A lab member never reaches the import; a staff user without add/change device permission gets 403."""
    response = browser_for(member).get(IMPORT)
    assert response.status_code == 302 and "/login/" in response["Location"]
    staff = UserFactory(username="staff-only", is_staff=True)
    assert browser_for(staff).get(IMPORT).status_code == 403
    assert _upload(browser_for(staff), GOOD).status_code == 403
    assert Device.objects.count() == 0


def test_import_page_requires_csrf_token(staff_manager):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_manager)
    assert _upload(client, GOOD).status_code == 403
