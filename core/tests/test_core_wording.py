"""Core knows nothing of the scheduler's domain: no booking wording in its code, templates or comments.

Core is the lab's accounts, tokens, audit log and notification transport; the scheduler builds on it.
This scan keeps the words "booking", "session" (the lab's sense: a submission of bookings) and
"conflicting" out of core, so that booking rules and wording live in the scheduler.

Scanned: every file under core/ and core's page templates (templates/account/, templates/registration/).
Not scanned:
- core/migrations/: history, never edited (old help texts quote booking examples);
- core/tests/: site-wide tests that drive every app over HTTP (sign-in redirects to /bookings/, CSRF on
  the scheduler API, the OpenAPI schema), besides the tests of core itself.

"session" in the HTTP sense is Django's and core uses it; exactly these identifiers are allowed:
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

# Django's HTTP-session API (and the HTTP client's), which is not the lab's "session".
ALLOWED_IDENTIFIERS = (
    "request.session",  # the signed-in browser's server-side store (core.views: the new token's key, once)
    "SessionAuthentication",  # DRF's cookie authentication for the browsable API
    "update_session_auth_hash",  # keeps the browser signed in after a password change
    "django.contrib.sessions",  # the app behind request.session
    "requests.Session",  # the HTTP client with pooled connections the worker posts to Discord with
)
FORBIDDEN = re.compile(r"booking|session|conflicting", re.IGNORECASE)

ROOT = Path(settings.BASE_DIR)
CORE = ROOT / "core"
CORE_TEMPLATES = (ROOT / "templates" / "account", ROOT / "templates" / "registration")
SKIPPED = (CORE / "migrations", CORE / "tests")
SUFFIXES = {".py", ".html", ".txt", ".md", ".js", ".css", ".json"}


def _scanned_files() -> list[Path]:
    files = []
    for base in (CORE, *CORE_TEMPLATES):
        for path in sorted(base.rglob("*")):
            if path.is_file() and path.suffix in SUFFIXES and not any(path.is_relative_to(s) for s in SKIPPED):
                files.append(path)
    return files


def forbidden_words(text: str) -> list[str]:
    """The forbidden words in `text`, once the allowed HTTP-session identifiers are blanked out."""
    for identifier in ALLOWED_IDENTIFIERS:
        text = text.replace(identifier, "")
    return [m.group(0) for m in FORBIDDEN.finditer(text)]


def test_the_scan_reads_core_and_its_templates():
    files = _scanned_files()
    names = {p.relative_to(ROOT).as_posix() for p in files}
    assert {"core/models.py", "core/discord.py", "core/services/notifications.py", "templates/account/tokens.html"} <= names
    assert not any(n.startswith(("core/migrations/", "core/tests/")) for n in names)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("def booking_request(): ...", ["booking"]),
        ("# a Session of bookings", ["Session", "booking"]),
        ('status == "conflicting"', ["conflicting"]),
        ("key = request.session.pop(KEY)", []),
        ("from django.contrib.sessions.models import Session", ["Session"]),
        ("client = requests.Session()", []),
        ("update_session_auth_hash(request, user)", []),
        ("a session_key", ["session"]),
    ],
)
def test_forbidden_words_are_found_and_only_the_listed_identifiers_pass(text, found):
    """The scan itself: booking wording is caught in any case; only the listed identifiers are exempt."""
    assert forbidden_words(text) == found


def test_core_has_no_booking_wording():
    """No file of core (code, comments, templates) says booking, session or conflicting."""
    offenders = []
    for path in _scanned_files():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if forbidden_words(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "Booking wording in core (move it to the scheduler):\n" + "\n".join(offenders)
