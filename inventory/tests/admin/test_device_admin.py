import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEvent
from core.tests.factories import UserFactory
from inventory.models import Attachment, Device, DeviceHistory, Port
from inventory.services.devices import device_create
from inventory.tests.admin.conftest import admin_form_data
from inventory.tests.factories import DeviceTypeFactory, PortFactory, SiteFactory, TagFactory

CHANGELIST = reverse("admin:inventory_device_changelist")


@pytest.fixture
def device(staff_manager):
    roadm = DeviceTypeFactory(name="ROADM", has_ports=True)
    device = device_create(actor=staff_manager, data={"name": "ROADM 1", "device_type": roadm, "rack": "A01",
                                                     "site": SiteFactory(name="Main lab"), "mgmt_ip": "10.0.0.1"})
    PortFactory(device=device, name="roadm_1_p1", switch_in=1, switch_out=385)
    return device


def _history(device):
    return list(DeviceHistory.objects.filter(device_id=device.pk).order_by("id").values_list("action", "field", "old_value", "new_value"))


@pytest.mark.parametrize("who", ["superuser", "staff_manager"])
def test_device_pages_render(request, who, device, browser_for, django_assert_max_num_queries):
    """The changelist, change form (with ports, attachments and history inlines) and add form render."""
    client = browser_for(request.getfixturevalue(who))
    with django_assert_max_num_queries(20):
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert b"ROADM 1" in response.content
    assert b"Import CSV" in response.content
    response = client.get(reverse("admin:inventory_device_change", args=[device.pk]))
    assert response.status_code == 200
    assert b"roadm_1_p1" in response.content
    assert {f.formset.prefix for f in response.context["inline_admin_formsets"]} == {"ports", "attachments", "history"}
    response = client.get(reverse("admin:inventory_device_add"))
    assert response.status_code == 200
    assert len(response.context["inline_admin_formsets"]) == 3


def test_changelist_query_count_does_not_grow_with_devices(device, manager_browser, django_assert_max_num_queries):
    """Tags, types and sites are fetched in batches, not per row."""
    tag = TagFactory(name="c-band")
    for n in range(30):
        d = device_create(actor=None, data={"name": f"EDFA {n}", "device_type": DeviceTypeFactory(name="EDFA")})
        d.tags.add(tag)
    with django_assert_max_num_queries(20):
        assert manager_browser.get(CHANGELIST).status_code == 200


@pytest.mark.parametrize("model", ["devicetype", "manufacturer", "site", "tag", "port", "attachment", "devicehistory"])
def test_other_inventory_pages_render(model, device, manager_browser):
    """Every inventory model has a working changelist and (except the read-only history) an add form."""
    assert manager_browser.get(reverse(f"admin:inventory_{model}_changelist")).status_code == 200
    add = manager_browser.get(reverse(f"admin:inventory_{model}_add"))
    assert add.status_code == (403 if model == "devicehistory" else 200)


def test_history_search_and_change_view_work_after_device_is_deleted(device, manager_browser):
    """History rows outlive their device and still display."""
    pk = device.pk
    Device.objects.filter(pk=pk).delete()
    row = DeviceHistory.objects.filter(device_id=pk).first()
    assert manager_browser.get(reverse("admin:inventory_devicehistory_changelist"), {"q": "ROADM"}).status_code == 200
    assert manager_browser.get(reverse("admin:inventory_devicehistory_change", args=[row.pk])).status_code == 200


def test_admin_edit_writes_one_history_row_per_changed_field(device, manager_browser, staff_manager):
    """Changing two fields and adding a tag in the admin writes three history rows and one audit event."""
    tag = TagFactory(name="c-band")
    url = reverse("admin:inventory_device_change", args=[device.pk])
    data = admin_form_data(manager_browser.get(url))
    data.update({"rack": "A07", "hostname": "roadm-1.lab", "tags": [str(tag.pk)]})
    response = manager_browser.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    rows = _history(device)[1:]
    assert rows == [("updated", "rack", "A01", "A07"), ("updated", "hostname", "", "roadm-1.lab"),
                    ("tag_added", "tags", "", "c-band")]
    assert all(r.actor_id == staff_manager.pk for r in DeviceHistory.objects.filter(device_id=device.pk))
    event = AuditEvent.objects.filter(action="inventory.device.updated").get()
    assert event.data == {"fields": ["hostname", "rack", "tags"]}


def test_admin_save_that_changes_nothing_writes_no_history(device, manager_browser):
    """Saving the form unchanged writes no history, no audit event and keeps updated_at."""
    url = reverse("admin:inventory_device_change", args=[device.pk])
    before, updated_at = _history(device), device.updated_at
    response = manager_browser.post(url, admin_form_data(manager_browser.get(url)))
    assert response.status_code == 302
    assert _history(device) == before
    assert not AuditEvent.objects.filter(action="inventory.device.updated").exists()
    device.refresh_from_db()
    assert device.updated_at == updated_at


def test_admin_add_with_port_inline_writes_created_history(manager_browser, staff_manager):
    """A device added in the admin with a port gets a 'created' history row and an audit event."""
    edfa = DeviceTypeFactory(name="EDFA")
    url = reverse("admin:inventory_device_add")
    data = admin_form_data(manager_browser.get(url))
    data.update({"name": "EDFA 9", "device_type": str(edfa.pk), "status": "available",
                 "ports-TOTAL_FORMS": "1", "ports-0-name": "edfa_9_in", "ports-0-switch_in": "9"})
    response = manager_browser.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    device = Device.objects.get(name="EDFA 9")
    assert device.created_by == staff_manager
    assert list(device.ports.values_list("name", "switch_in")) == [("edfa_9_in", 9)]
    assert _history(device) == [("created", "", "", "")]
    assert AuditEvent.objects.filter(action="inventory.device.created", target_id=str(device.pk)).exists()
    assert AuditEvent.objects.filter(action="inventory.port.created").exists()


def test_admin_port_inline_refuses_duplicate_label_in_any_case(device, manager_browser):
    """Port labels are unique lab-wide regardless of case; the form shows the error."""
    other = device_create(actor=None, data={"name": "ROADM 2", "device_type": device.device_type})
    url = reverse("admin:inventory_device_change", args=[other.pk])
    data = admin_form_data(manager_browser.get(url))
    data.update({"ports-TOTAL_FORMS": "1", "ports-0-name": "ROADM_1_P1"})
    response = manager_browser.post(url, data)
    assert response.status_code == 200
    assert Port.objects.count() == 1


def test_admin_delete_goes_through_device_delete(device, manager_browser):
    """Deleting in the admin leaves a 'deleted' history row and an audit event."""
    pk = device.pk
    response = manager_browser.post(reverse("admin:inventory_device_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Device.objects.filter(pk=pk).exists()
    assert _history(device)[-1][0] == "deleted"
    assert AuditEvent.objects.filter(action="inventory.device.deleted", target_id=str(pk)).exists()


def test_admin_bulk_delete_action_goes_through_device_delete(device, manager_browser):
    """The changelist's delete action writes the history of each device."""
    other = device_create(actor=None, data={"name": "ROADM 2", "device_type": device.device_type})
    response = manager_browser.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [device.pk, other.pk],
                                                 "post": "yes"})
    assert response.status_code == 302
    assert Device.objects.count() == 0
    deleted = DeviceHistory.objects.filter(action="deleted").values_list("device_id", flat=True)
    assert sorted(deleted) == sorted([device.pk, other.pk])


def test_admin_attachment_upload_is_recorded_and_limited(device, manager_browser, settings):
    """An allowed file is stored under a generated name with history; a bad extension or size is refused."""
    settings.ATTACHMENT_MAX_BYTES = 100
    url = reverse("admin:inventory_device_change", args=[device.pk])

    def upload(name, content):
        data = admin_form_data(manager_browser.get(url))
        data.update({"attachments-TOTAL_FORMS": "1", "attachments-0-file": SimpleUploadedFile(name, content)})
        return manager_browser.post(url, data)

    response = upload("tool.exe", b"MZ")
    assert response.status_code == 200
    assert ".exe files are not accepted" in str(response.context["inline_admin_formsets"][1].formset.errors)
    assert upload("big.pdf", b"x" * 101).status_code == 200
    assert not Attachment.objects.exists()

    assert upload("Datasheet.PDF", b"%PDF-1.4").status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Datasheet.PDF"
    assert attachment.size == 8
    assert "Datasheet" not in attachment.file.name and attachment.file.name.endswith(".pdf")
    assert _history(device)[-1] == ("attachment_added", "attachments", "", "Datasheet.PDF")

    data = admin_form_data(manager_browser.get(url))
    data["attachments-0-DELETE"] = "on"
    assert manager_browser.post(url, data).status_code == 302
    assert not Attachment.objects.exists()
    assert _history(device)[-1] == ("attachment_removed", "attachments", "Datasheet.PDF", "")


def test_other_admin_writes_leave_audit_events(manager_browser):
    """Adding and deleting a tag in the admin is audited."""
    response = manager_browser.post(reverse("admin:inventory_tag_add"), {"name": "l-band", "color": "#ff7f0e"})
    assert response.status_code == 302
    tag = TagFactory(name="l-band")
    response = manager_browser.post(reverse("admin:inventory_tag_delete", args=[tag.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert list(AuditEvent.objects.order_by("id").values_list("action", flat=True)) == [
        "inventory.tag.created", "inventory.tag.deleted"]


def test_export_action_writes_csv(device, manager_browser):
    """The export action answers a CSV file with names, tags and ports."""
    device.tags.add(TagFactory(name="c-band"))
    response = manager_browser.post(CHANGELIST, {"action": "export_csv", "_selected_action": [device.pk]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("name,device_type,manufacturer,")
    assert lines[1] == "ROADM 1,ROADM,,,,,available,Main lab,A01,,,10.0.0.1,,,,c-band,roadm_1_p1:1:385"


@pytest.mark.parametrize("q", ["roadm_1_P1", "10.0.0.1", "ROADM"])
def test_changelist_search_finds_device_by_port_label_and_ip(q, device, manager_browser):
    """Search covers name, asset id, serial, hostname, management IP and port labels."""
    other = device_create(actor=None, data={"name": "OSA 1", "device_type": DeviceTypeFactory(name="OSA")})
    response = manager_browser.get(CHANGELIST, {"q": q})
    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert device in shown and other not in shown


def test_attachment_admin_add_and_delete_write_history(device, manager_browser, settings):
    """The standalone attachment page obeys the same limits and writes the same history."""
    settings.ATTACHMENT_EXTENSIONS = ["txt"]
    url = reverse("admin:inventory_attachment_add")
    refused = manager_browser.post(url, {"device": device.pk, "file": SimpleUploadedFile("notes.pdf", b"x")})
    assert refused.status_code == 200 and not Attachment.objects.exists()
    response = manager_browser.post(url, {"device": device.pk, "file": SimpleUploadedFile("notes.txt", b"hello")})
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.size, attachment.uploaded_by.username) == ("notes.txt", 5, "manager")
    response = manager_browser.post(reverse("admin:inventory_attachment_delete", args=[attachment.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert [r[0] for r in _history(device)[-2:]] == ["attachment_added", "attachment_removed"]


def test_port_admin_edit_is_audited(device, manager_browser):
    port = device.ports.get()
    url = reverse("admin:inventory_port_change", args=[port.pk])
    response = manager_browser.post(url, {"device": device.pk, "name": "roadm_1_p1", "switch_in": "7", "switch_out": "385",
                                          "description": "moved"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="inventory.port.updated")
    assert event.data == {"fields": ["description", "switch_in"]}


def test_import_button_hidden_without_permission(device, browser_for):
    """Staff who may only view devices see the list without the import button."""
    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_device"))
    response = browser_for(viewer).get(CHANGELIST)
    assert response.status_code == 200
    assert b"Import CSV" not in response.content
