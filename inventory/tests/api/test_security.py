"""Inventory security: downloads stay inside MEDIA_ROOT, identity fields come from the request, colours are checked."""

import pytest
from django.test import Client

from inventory.models import Attachment, Tag
from inventory.tests.api.routes import url
from inventory.tests.factories import DeviceFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def outside_file(settings, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for download")
    return secret


@pytest.mark.parametrize("stored", ["../secret.txt", "attachments/../../secret.txt", "/etc/passwd"])
def test_download_cannot_escape_media_root(member, member_client, outside_file, stored):
    """A stored name pointing outside MEDIA_ROOT (only possible by editing the row) is refused, never served,
    by the API and by the device page."""
    device = DeviceFactory()
    attachment = Attachment.objects.create(device=device, file=stored, original_name="x.txt", size=1)
    response = member_client.get(url("attachments", attachment.pk, "download"))
    assert response.status_code in (400, 404)
    assert b"not for download" not in b"".join(getattr(response, "streaming_content", [response.content]))
    web = Client()
    web.force_login(member)
    response = web.get(f"/devices/{device.pk}/attachments/{attachment.pk}/")
    assert response.status_code in (400, 404)
    assert b"not for download" not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_uploader_comes_from_the_request_not_the_body(manager_client, manager, member):
    """`uploaded_by` in the upload form is ignored: the signed-in user is recorded."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    device = DeviceFactory()
    response = manager_client.post(
        url("devices", device.pk, "attachments"),
        {"file": SimpleUploadedFile("a.txt", b"x"), "uploaded_by": member.pk},
        format="multipart",
    )
    assert response.status_code == 201, response.data
    assert Attachment.objects.get().uploaded_by == manager


@pytest.mark.parametrize("color", ['red"><script>', "#fff;x", "url(x)", "#12345g"])
def test_tag_colour_must_be_a_hex_colour(manager_client, color):
    """Tag colours end up in style attributes: anything but #rrggbb is a 400 and nothing is saved."""
    response = manager_client.post(url("tags"), {"name": "t", "color": color})
    assert response.status_code == 400
    assert "color" in response.json()
    tag = TagFactory()
    response = manager_client.patch(url("tags", tag.pk), {"color": color})
    assert response.status_code == 400
    assert Tag.objects.get(pk=tag.pk).color == tag.color


@pytest.mark.parametrize("path", ["devices/null,null/attachments/", "devices/null,null/history/", "devices/abc/",
                                  "attachments/x/download/"])
def test_non_numeric_ids_are_404(member_client, path):
    """A non-numeric id in a custom device action raised ValueError (500); ids are now numbers in the route."""
    assert member_client.get(f"/api/inventory/{path}").status_code == 404


def test_upload_to_a_non_numeric_device_is_404(manager_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = manager_client.post("/api/inventory/devices/null,null/attachments/",
                                   {"file": SimpleUploadedFile("a.txt", b"x")}, format="multipart")
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["tag=-192423663165402003800064", "manufacturer=27499688358548299776",
                                   "site=99999999999999999999", "device_type=%C2%B2"])
def test_device_list_filter_ids_beyond_the_id_range_are_400(member_client, query):
    """Such ids overflowed SQLite's INTEGER inside the `__in` query (500); now a field error."""
    response = member_client.get(f"/api/inventory/devices/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_port_and_attachment_device_filters_refuse_huge_ids(member_client):
    for path in ["ports", "attachments"]:
        response = member_client.get(f"/api/inventory/{path}/?device=99999999999999999999")
        assert response.status_code == 400, path
