"""Validators for uploaded files, shared by the admin, the API and imports."""

from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat


def validate_attachment_file(file) -> None:
    """Refuse an attachment larger than ATTACHMENT_MAX_BYTES or with an extension not in ATTACHMENT_EXTENSIONS."""
    name = getattr(file, "name", "") or ""
    suffix = PurePosixPath(name).suffix.lower().lstrip(".")
    allowed = sorted({ext.lower().lstrip(".") for ext in settings.ATTACHMENT_EXTENSIONS})
    if suffix not in allowed:
        shown = f".{suffix}" if suffix else "no extension"
        raise ValidationError(
            "Files with %(shown)s cannot be attached; allowed: %(allowed)s.",
            code="extension",
            params={"shown": shown, "allowed": ", ".join(allowed)},
        )
    size = getattr(file, "size", None)
    if size is not None and size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            "%(name)s is %(size)s; attachments may be at most %(limit)s.",
            code="size",
            params={"name": PurePosixPath(name).name, "size": filesizeformat(size),
                    "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)},
        )
