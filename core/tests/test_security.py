"""Cross-cutting security: sign-in redirects, CSRF on session API writes, identity and secrets."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
PRIVATE_KEY = re.compile(r"-{5}BEGIN [A-Z ]*PRIVATE KEY-{5}")
WEBHOOK = re.compile(r"discord(?:app)?\.com/api/webhooks/\d{15,}/[\w-]{30,}")


@pytest.mark.parametrize("target", [
    "https://evil.example.org/", "//evil.example.org/", "///evil.example.org/", "https:evil.example.org",
    "/\\evil.example.org", "\\\\evil.example.org", "javascript:alert(1)",
])
def test_sign_in_next_cannot_leave_the_site(member, target):
    """The login `next` parameter may only point at this site; anything else lands on the home page."""
    response = Client().post(f"/accounts/login/?next={target}", {"username": "member", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_sign_in_next_within_the_site_is_followed(member):
    response = Client().post("/accounts/login/?next=/bookings/", {"username": "member", "password": PASSWORD})
    assert response["Location"] == "/bookings/"


@pytest.mark.parametrize("method,path,body", [
    ("post", "/api/scheduler/bookings/", {"device": 1, "start": "2026-12-03T10:00:00Z", "end": "2026-12-03T12:00:00Z"}),
    ("post", "/api/scheduler/favorites/", {"name": "x", "devices": [1]}),
    ("post", "/api/inventory/tags/", {"name": "x", "color": "#123456"}),
    ("patch", "/api/me/", {"first_name": "x"}),
    ("post", "/api/auth/tokens/1/revoke/", {}),
])
def test_session_authenticated_api_writes_need_csrf(manager, method, path, body):
    """A browser session (cookie) alone cannot write through the API: without the CSRF token it is a 403."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(manager)
    response = getattr(client, method)(path, body, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_register_ignores_privilege_fields_in_the_body(anon_client, groups):
    """is_staff, is_superuser and groups sent to register are ignored: a new account is a plain lab member."""
    response = anon_client.post("/api/auth/register/", {
        "username": "mallory", "email": "m@example.org", "password": "a long enough passphrase 42",
        "is_staff": True, "is_superuser": True, "groups": ["Lab managers"],
    }, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["is_lab_manager"] is False
    assert response.json()["groups"] == ["Lab members"]


def test_profile_update_cannot_change_username_or_privileges(member_client, member):
    """PATCH /api/me/ refuses fields other than contact details (400) and changes nothing."""
    for field, value in [("username", "root"), ("is_staff", True), ("is_superuser", True), ("id", 99)]:
        response = member_client.patch("/api/me/", {field: value, "first_name": "X"}, format="json")
        assert response.status_code == 400, field
    member.refresh_from_db()
    assert (member.username, member.is_staff, member.is_superuser, member.first_name) == ("member", False, False, member.first_name)


def test_token_key_is_not_logged(anon_client, member, caplog):
    """Creating and using a token logs nothing that contains the key."""
    with caplog.at_level("DEBUG"):
        key = anon_client.post("/api/auth/token/", {"username": "member", "password": PASSWORD}, format="json").json()["token"]
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get("/api/me/").status_code == 200
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}x")
        assert client.get("/api/me/").status_code == 401
    assert key not in caplog.text


def test_settings_refuse_to_start_without_secret_key_when_not_debugging():
    """With DEBUG off and no SECRET_KEY in the environment, importing the settings fails."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env["DEBUG"] = "false"
    base = Path(django_settings.BASE_DIR)
    result = subprocess.run(
        [sys.executable, "-c", "import labsite.settings"], cwd=base, env=env, capture_output=True, text=True, timeout=60,
    )
    if (base / ".env").exists():
        pytest.skip("a local .env file may provide SECRET_KEY")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_no_secrets_are_committed():
    """No tracked file holds a Discord webhook URL, a private key or a hard-coded production SECRET_KEY."""
    base = Path(django_settings.BASE_DIR)
    files = subprocess.run(["git", "ls-files"], cwd=base, capture_output=True, text=True).stdout.split()
    if not files:
        pytest.skip("not a git checkout")
    suspicious = []
    for name in files:
        path = base / name
        if not path.is_file() or path.suffix in {".png", ".ico", ".woff", ".woff2", ".gz"}:
            continue
        text = path.read_text(errors="ignore")
        if WEBHOOK.search(text):
            suspicious.append(name)
        if PRIVATE_KEY.search(text):
            suspicious.append(name)
    assert suspicious == []


def test_inactive_user_session_is_refused(member):
    """A deactivated member's existing session no longer opens pages."""
    client = Client()
    client.force_login(member)
    member.is_active = False
    member.save()
    assert client.get("/bookings/").status_code == 302

