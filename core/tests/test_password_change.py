"""A changed password ends the old access: other sessions, and (ticked by default) tokens and feed keys."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from core.roles import LAB_MANAGERS
from core.services.tokens import token_authenticate, token_create
from core.services.users import user_calendar_key_regenerate
from core.tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
NEW = "a brand new passphrase 42"
pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(groups):
    return UserFactory(username="alice")


def _signed_in(username="alice", password=PASSWORD):
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": password}).status_code == 302
    return client


def _old_access(user):
    _, key = token_create(user=user, name="script")
    feed = user_calendar_key_regenerate(user=user)
    return key, feed


def test_sign_out_everywhere_is_ticked_by_default(alice):
    page = _signed_in().get(reverse("password_change")).content.decode()
    assert 'name="sign_out_everywhere"' in page
    assert 'id="id_sign_out_everywhere" checked' in page


def test_password_change_signs_out_everywhere(alice):
    """Tokens, feed keys and other sessions stop working; this browser stays signed in."""
    key, feed = _old_access(alice)
    here, elsewhere = _signed_in(), _signed_in()
    response = here.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW, "sign_out_everywhere": "on"})
    assert response.status_code == 302
    assert here.get(reverse("profile")).status_code == 200
    assert elsewhere.get(reverse("profile")).status_code == 302  # to the sign-in page
    assert token_authenticate(key=key) is None
    assert APIClient(HTTP_AUTHORIZATION=f"Token {key}").get("/api/me/").status_code == 401
    assert Client().get(f"/calendar/{feed}.ics").status_code == 404
    alice.refresh_from_db()
    assert alice.calendar_key_digest is None and alice.check_password(NEW)
    event = AuditEvent.objects.get(action="core.user.password_changed")
    assert event.actor == alice and event.data == {"sign_out_everywhere": True, "tokens": 1, "calendar_key": True}


def test_unticked_keeps_tokens_and_feeds(alice):
    """Without the box, scripts and calendar apps keep working (other browsers still end)."""
    key, feed = _old_access(alice)
    here = _signed_in()
    response = here.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW})
    assert response.status_code == 302
    assert token_authenticate(key=key) is not None
    assert Client().get(f"/calendar/{feed}.ics").status_code == 200


def test_a_wrong_old_password_changes_nothing(alice):
    key, _ = _old_access(alice)
    response = _signed_in().post(reverse("password_change"), {
        "old_password": "nope", "new_password1": NEW, "new_password2": NEW, "sign_out_everywhere": "on"})
    assert response.status_code == 200
    assert token_authenticate(key=key) is not None


def test_a_managers_reset_in_the_admin_signs_out_everywhere(alice, groups):
    """The admin's password form has the same box, ticked; the reset is audited with the manager."""
    key, feed = _old_access(alice)
    elsewhere = _signed_in()
    boss = UserFactory(username="boss", is_superuser=True)
    boss.groups.add(groups[LAB_MANAGERS])
    admin = Client()
    admin.force_login(boss)
    url = reverse("admin:auth_user_password_change", args=[alice.pk])
    page = admin.get(url).content.decode()
    assert 'id="id_sign_out_everywhere" checked' in page
    response = admin.post(url, {"password1": NEW, "password2": NEW, "usable_password": "true",
                                "sign_out_everywhere": "on", "set-password": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert token_authenticate(key=key) is None
    assert Client().get(f"/calendar/{feed}.ics").status_code == 404
    assert elsewhere.get(reverse("profile")).status_code == 302
    event = AuditEvent.objects.get(action="core.user.password_changed")
    assert event.actor == boss and event.data["sign_out_everywhere"] is True
    alice.refresh_from_db()
    assert alice.check_password(NEW)
