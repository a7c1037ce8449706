import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.validators import validate_attachment_file


def test_allowed_file_passes(settings):
    settings.ATTACHMENT_EXTENSIONS = ["pdf", "PNG"]
    validate_attachment_file(SimpleUploadedFile("Spec.PDF", b"x"))
    validate_attachment_file(SimpleUploadedFile("photo.png", b"x"))


@pytest.mark.parametrize("name", ["run.exe", "noextension", "archive.tar.gz"])
def test_other_extensions_are_refused(settings, name):
    """Only the extensions in ATTACHMENT_EXTENSIONS may be attached."""
    settings.ATTACHMENT_EXTENSIONS = ["pdf", "zip"]
    with pytest.raises(ValidationError) as exc:
        validate_attachment_file(SimpleUploadedFile(name, b"x"))
    assert exc.value.code == "extension"
    assert "allowed: pdf, zip" in exc.value.messages[0]


def test_files_over_the_size_limit_are_refused(settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    validate_attachment_file(SimpleUploadedFile("ok.pdf", b"x" * 1024))
    with pytest.raises(ValidationError) as exc:
        validate_attachment_file(SimpleUploadedFile("big.pdf", b"x" * 1025))
    assert exc.value.code == "size"
    assert exc.value.messages == ["big.pdf is 1.0\xa0KB; attachments may be at most 1.0\xa0KB."]
