"""Attachment writes: files kept with a device, limited in size and type by settings."""

import mimetypes
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from core.services.audit import audit_log
from inventory.choices import HistoryAction
from inventory.models import Attachment, Device, DeviceHistory


def _actor_or_none(actor):
    return actor if getattr(actor, "pk", None) else None


def _short_name(name: str, limit: int = 255) -> str:
    """The client's file name cut to `limit` characters, keeping its extension."""
    if len(name) <= limit:
        return name
    suffix = PurePosixPath(name).suffix[:20]
    return name[: limit - len(suffix)] + suffix


def attachment_validate(*, name: str, size: int) -> None:
    """Refuse files over ATTACHMENT_MAX_BYTES or with an extension outside ATTACHMENT_EXTENSIONS."""
    allowed = sorted({ext.lower().lstrip(".") for ext in settings.ATTACHMENT_EXTENSIONS})
    extension = PurePosixPath(name).suffix.lower().lstrip(".")
    if extension not in allowed:
        shown = f".{extension} files are" if extension else "Files without an extension are"
        raise ValidationError({"file": [f"{shown} not accepted; upload one of: {', '.join(allowed)}."]})
    limit = settings.ATTACHMENT_MAX_BYTES
    if size > limit:
        raise ValidationError({"file": [
            f"The file is {size:,} bytes; attachments may be at most {limit:,} bytes. Compress or split it."
        ]})


def attachment_create(*, device: Device, actor, file: UploadedFile) -> Attachment:
    """Store `file` under a generated name and attach it to `device`, with a history row and an audit event."""
    original_name = _short_name(PurePosixPath((file.name or "").replace("\\", "/")).name)
    attachment_validate(name=original_name, size=file.size)
    # The type served back is derived from the extension, never taken from the client.
    content_type = mimetypes.guess_type(original_name)[0] or "application/octet-stream"
    attachment = Attachment(device=device, original_name=original_name, content_type=content_type,
                            size=file.size, uploaded_by=_actor_or_none(actor))
    attachment.file.save(original_name, file, save=False)
    try:
        with transaction.atomic():
            attachment.full_clean()
            attachment.save()
            DeviceHistory.objects.create(device_id=device.pk, device_name=device.name,
                                         action=HistoryAction.ATTACHMENT_ADDED, field="attachments",
                                         new_value=original_name, actor=_actor_or_none(actor))
            audit_log(actor=actor, action="inventory.attachment.added", target=attachment,
                      data={"device": device.pk, "size": file.size})
    except Exception:
        attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor) -> None:
    """Remove an attachment and, once the transaction commits, its stored file."""
    device = attachment.device
    DeviceHistory.objects.create(device_id=device.pk, device_name=device.name,
                                 action=HistoryAction.ATTACHMENT_REMOVED, field="attachments",
                                 old_value=attachment.original_name, actor=_actor_or_none(actor))
    audit_log(actor=actor, action="inventory.attachment.removed", target=attachment, data={"device": device.pk})
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
