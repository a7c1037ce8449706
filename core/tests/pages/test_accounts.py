"""Account pages: sign in/out, register, password change, profile, API tokens, CSRF."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from core.models import ApiToken
from core.roles import LAB_MEMBERS
from core.services.tokens import token_authenticate, token_create
from core.tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


@pytest.fixture
def web(member):
    client = Client()
    client.force_login(member)
    return client


def test_sign_in_page_and_sign_in(member):
    """A member signs in with username and password and lands on the schedule."""
    client = Client()
    assert client.get(reverse("login")).status_code == 200
    response = client.post(reverse("login"), {"username": "member", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_is_explained(member):
    """A failed sign-in shows a readable error, not a crash."""
    response = Client().post(reverse("login"), {"username": "member", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_pages_need_sign_in():
    """Anonymous visitors are sent to the sign-in page."""
    response = Client().get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_sign_out_is_post_only(web):
    """Signing out needs a POST (a link can't sign a member out); afterwards pages ask for sign-in."""
    assert web.get(reverse("logout")).status_code == 405
    response = web.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert web.get("/").status_code == 302


def test_register_creates_a_lab_member(groups):
    """Registration creates the account, puts it in Lab members and signs it in."""
    client = Client()
    response = client.post(reverse("register"), {
        "username": "ana", "email": "ana@lab.example", "discord_id": "123456789012345678",
        "password1": "a long enough passphrase", "password2": "a long enough passphrase",
    })
    assert response.status_code == 302
    user = get_user_model().objects.get(username="ana")
    assert user.groups.filter(name=LAB_MEMBERS).exists()
    assert user.discord_id == "123456789012345678"
    assert client.get("/").status_code == 200


def test_register_rejects_bad_input(groups):
    """Mismatched passwords and a malformed Discord id are shown next to their fields."""
    response = Client().post(reverse("register"), {
        "username": "ana", "email": "ana@lab.example", "discord_id": "abc", "password1": "a long enough passphrase", "password2": "other one",
    })
    body = response.content.decode()
    assert response.status_code == 200
    assert "The two password fields didn" in body
    assert "17–20 digit" in body
    assert not get_user_model().objects.filter(username="ana").exists()


def test_register_closed(settings, db):
    """With REGISTRATION_OPEN off the page is not there."""
    settings.REGISTRATION_OPEN = False
    assert Client().get(reverse("register")).status_code == 404


def test_password_change(web, member):
    """A member changes the password with the old one."""
    response = web.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "another long passphrase", "new_password2": "another long passphrase",
    })
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password("another long passphrase")


def test_profile_discord_id_validated(web, member):
    """The Discord id must be 17–20 digits; a valid one is saved."""
    response = web.post(reverse("profile"), {"discord_id": "12345", "email": "m@lab.example"})
    assert response.status_code == 200 and "17–20 digit" in response.content.decode()
    response = web.post(reverse("profile"), {"discord_id": "98765432109876543", "email": "m@lab.example"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.discord_id == "98765432109876543"


def test_token_created_shown_once_and_works(web, member):
    """A new token's key is shown on the page after creating it, once, and it authenticates."""
    response = web.post(reverse("tokens"), {"name": "polatis scripts", "expires_on": "2099-01-31"})
    # Redirected: reloading the page that shows the key cannot create a second token.
    assert response.status_code == 302 and response["Location"] == reverse("tokens")
    response = web.get(reverse("tokens"))
    body = response.content.decode()
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    start = body.index('data-new-key>') + len('data-new-key>')
    key = body[start:body.index("</output>", start)]
    token = ApiToken.objects.get(user=member)
    assert token.expires_at.year == 2099
    assert token_authenticate(key=key).pk == token.pk
    listing = web.get(reverse("tokens")).content.decode()
    assert "polatis scripts" in listing and key not in listing
    assert ApiToken.objects.filter(user=member).count() == 1


def test_token_past_expiry_refused(web):
    """An expiry in the past is refused with a message."""
    response = web.post(reverse("tokens"), {"name": "old", "expires_on": "2001-01-01"})
    assert "must be in the future" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_revoke_own_only(web, member):
    """A member revokes an own token; someone else's is not found."""
    own, key = token_create(user=member, name="mine")
    others, _ = token_create(user=UserFactory(username="x"), name="theirs")
    assert web.post(reverse("token-revoke", args=[others.pk])).status_code == 404
    assert web.post(reverse("token-revoke", args=[own.pk])).status_code == 302
    assert token_authenticate(key=key) is None


def test_csrf_is_enforced(member):
    """Forms are protected: a POST without the CSRF token is refused."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    assert client.post(reverse("tokens"), {"name": "x"}).status_code == 403
    assert Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "member", "password": PASSWORD}).status_code == 403
    assert not ApiToken.objects.exists()


def test_register_duplicate_email_is_refused_by_the_service(member):
    """The registration service's rules (unique email in any case) show next to the field."""
    response = Client().post(reverse("register"), {
        "username": "ana", "email": member.email.upper(),
        "password1": "a long enough passphrase", "password2": "a long enough passphrase",
    })
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert not get_user_model().objects.filter(username="ana").exists()
