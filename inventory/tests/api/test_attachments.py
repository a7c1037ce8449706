"""Attachments: upload limits from settings, generated storage names, downloads for signed-in users only."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import AuditEvent
from inventory.models import Attachment, DeviceHistory
from inventory.tests.api.routes import url
from inventory.tests.factories import DeviceFactory


def _file(name="datasheet.pdf", content=b"%PDF-1.4 lab datasheet", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _upload(client, device, **kwargs):
    return client.post(url("devices", device.pk, "attachments"), {"file": _file(**kwargs)}, format="multipart")


@pytest.fixture
def device(db):
    return DeviceFactory(name="roadm-1")


def test_upload_stores_the_file_under_a_generated_name(manager_client, manager, device, settings):
    """The stored name is a random one with the original extension; the client's name is only metadata."""
    response = _upload(manager_client, device, name="../../etc/My Datasheet.PDF")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["original_name"] == "My Datasheet.PDF"
    assert data["size"] == len(b"%PDF-1.4 lab datasheet")
    assert data["content_type"] == "application/pdf"
    assert data["device"]["id"] == device.pk
    assert data["uploaded_by"] == {"id": manager.pk, "username": "manager"}
    assert data["download_url"].endswith(url("attachments", data["id"], "download"))
    stored = Attachment.objects.get(pk=data["id"]).file.name
    assert stored.startswith("attachments/") and stored.endswith(".pdf")
    assert "Datasheet" not in stored and len(Path(stored).stem) == 32
    assert (Path(settings.MEDIA_ROOT) / stored).read_bytes() == b"%PDF-1.4 lab datasheet"


def test_upload_writes_history_and_an_audit_event(manager_client, device):
    _upload(manager_client, device)
    row = DeviceHistory.objects.get(device_id=device.pk)
    assert (row.action, row.field, row.new_value) == ("attachment_added", "attachments", "datasheet.pdf")
    assert AuditEvent.objects.filter(action="inventory.attachment.added").count() == 1


def test_long_file_name_is_shortened_keeping_its_extension(manager_client, device):
    response = _upload(manager_client, device, name="a" * 300 + ".pdf")
    assert response.status_code == 201, response.data
    assert len(response.data["original_name"]) == 255 and response.data["original_name"].endswith("a.pdf")


def test_content_type_comes_from_the_extension_not_the_client(manager_client, device):
    response = _upload(manager_client, device, name="notes.txt", content=b"hello", content_type="text/html")
    assert response.data["content_type"] == "text/plain"


def test_too_big_file_is_a_400(manager_client, device, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    response = _upload(manager_client, device, content=b"x" * 11)
    assert response.status_code == 400
    assert "at most 10 bytes" in response.data["file"][0]
    assert not Attachment.objects.exists()
    assert not list((Path(settings.MEDIA_ROOT)).rglob("*.pdf"))


@pytest.mark.parametrize("name", ["run.exe", "script.sh", "noextension", "page.html"])
def test_bad_extension_is_a_400(manager_client, device, settings, name):
    settings.ATTACHMENT_EXTENSIONS = ["pdf", "txt"]
    response = _upload(manager_client, device, name=name)
    assert response.status_code == 400
    assert "pdf, txt" in response.data["file"][0]
    assert not Attachment.objects.exists()


def test_missing_or_empty_file_is_a_400(manager_client, device):
    assert manager_client.post(url("devices", device.pk, "attachments"), {}, format="multipart").status_code == 400
    assert _upload(manager_client, device, content=b"").status_code == 400
    response = manager_client.post(url("devices", device.pk, "attachments"), {"file": "text"}, format="json")
    assert response.status_code in (400, 415)


def test_upload_to_an_unknown_device_is_a_404(manager_client, db):
    response = manager_client.post(url("devices", 999999, "attachments"), {"file": _file()}, format="multipart")
    assert response.status_code == 404


def test_upload_needs_the_add_permission(member_client, anon_client, device):
    assert _upload(member_client, device).status_code == 403
    assert _upload(anon_client, device).status_code == 401


def test_list_of_a_device_and_metadata(manager_client, member_client, device):
    first = _upload(manager_client, device).data
    _upload(manager_client, DeviceFactory())
    listed = member_client.get(url("devices", device.pk, "attachments")).data
    assert listed["count"] == 1 and listed["results"][0]["id"] == first["id"]
    assert member_client.get(url("attachments", first["id"])).data["original_name"] == "datasheet.pdf"
    assert member_client.get(url("attachments"), {"device": device.pk}).data["count"] == 1


def test_download_for_signed_in_users_only(manager_client, member_client, anon_client, device):
    """The file comes back under its original name; anonymous callers get nothing."""
    data = _upload(manager_client, device, name="Manual v2.pdf").data
    response = member_client.get(url("attachments", data["id"], "download"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 lab datasheet"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Manual v2.pdf"'
    assert anon_client.get(url("attachments", data["id"], "download")).status_code == 401


def test_download_of_a_missing_attachment_is_a_404(member_client, db):
    assert member_client.get(url("attachments", 999999, "download")).status_code == 404


def test_delete_needs_the_permission_and_removes_file_and_row(manager_client, member_client, device, settings,
                                                              django_capture_on_commit_callbacks):
    data = _upload(manager_client, device).data
    stored = Path(settings.MEDIA_ROOT) / Attachment.objects.get(pk=data["id"]).file.name
    assert member_client.delete(url("attachments", data["id"])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert manager_client.delete(url("attachments", data["id"])).status_code == 204
    assert not Attachment.objects.exists()
    assert not stored.exists()
    row = DeviceHistory.objects.filter(device_id=device.pk).first()
    assert (row.action, row.old_value) == ("attachment_removed", "datasheet.pdf")
    assert AuditEvent.objects.filter(action="inventory.attachment.removed").count() == 1


def test_deleting_a_device_removes_its_attachment_files(manager_client, device, settings,
                                                        django_capture_on_commit_callbacks):
    data = _upload(manager_client, device).data
    stored = Path(settings.MEDIA_ROOT) / Attachment.objects.get(pk=data["id"]).file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert manager_client.delete(url("devices", device.pk)).status_code == 204
    assert not stored.exists()
