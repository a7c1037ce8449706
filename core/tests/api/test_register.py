import pytest
from django.contrib.auth.models import Group

from core.models import AuditEvent, User
from core.roles import LAB_MEMBERS
from core.tests.factories import UserFactory

URL = "/api/auth/register/"
GOOD = {"username": "ada", "email": "ada@lab.example", "password": "correct horse battery staple"}

pytestmark = pytest.mark.django_db


def test_register_creates_a_lab_member_without_returning_the_password(anon_client):
    """Registration answers 201 with the new user, who is in Lab members and can sign in."""
    response = anon_client.post(URL, {**GOOD, "discord_id": "123456789012345678"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["username"] == "ada"
    assert body["email"] == "ada@lab.example"
    assert body["discord_id"] == "123456789012345678"
    assert body["groups"] == [LAB_MEMBERS]
    assert body["is_lab_manager"] is False
    assert "password" not in body
    user = User.objects.get(username="ada")
    assert user.check_password(GOOD["password"])
    assert user.groups.filter(name=LAB_MEMBERS).exists()
    assert AuditEvent.objects.filter(action="core.user.registered", target_id=str(user.pk)).count() == 1


def test_register_without_discord_id_stores_null(anon_client):
    """An absent, null or empty discord_id is stored as NULL so many users can have none."""
    for i, discord_id in enumerate([None, ""]):
        response = anon_client.post(URL, {**GOOD, "username": f"u{i}", "email": f"u{i}@lab.example", "discord_id": discord_id})
        assert response.status_code == 201, response.json()
    assert anon_client.post(URL, {**GOOD, "username": "u2", "email": "u2@lab.example"}).status_code == 201
    assert User.objects.filter(discord_id__isnull=True).count() == 3


def test_register_creates_the_members_group_when_missing(anon_client):
    """A fresh database without init_db still puts new users in Lab members."""
    assert not Group.objects.filter(name=LAB_MEMBERS).exists()
    assert anon_client.post(URL, GOOD).status_code == 201
    assert User.objects.get(username="ada").groups.get().name == LAB_MEMBERS


def test_register_is_refused_when_registration_is_closed(anon_client, settings):
    """REGISTRATION_OPEN=false turns self-service registration off with a clear 403."""
    settings.REGISTRATION_OPEN = False
    response = anon_client.post(URL, GOOD)
    assert response.status_code == 403
    assert response.json() == {"detail": "Registration is closed on this site; ask a lab manager to create your account."}
    assert not User.objects.exists()


def test_register_applies_django_password_validators(anon_client):
    """Weak passwords are refused with errors on `password`."""
    response = anon_client.post(URL, {**GOOD, "password": "12345678"})
    assert response.status_code == 400
    messages = response.json()["password"]
    assert "This password is too common." in messages
    assert "This password is entirely numeric." in messages
    response = anon_client.post(URL, {**GOOD, "password": "ada@lab.example"})
    assert response.status_code == 400
    assert any("too similar" in m for m in response.json()["password"])
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["ada", "ADA", "Ada"])
def test_register_refuses_a_taken_username_case_insensitively(anon_client, username):
    """'Ada' and 'ada' would be the same person to a lab member reading a schedule."""
    UserFactory(username="ada", email="first@lab.example")
    response = anon_client.post(URL, {**GOOD, "username": username})
    assert response.status_code == 400
    assert response.json() == {"username": ["This username is already taken; pick another one."]}


def test_register_refuses_a_taken_email_case_insensitively(anon_client):
    """One account per email address, whatever its case."""
    UserFactory(username="first", email="Ada@Lab.example")
    response = anon_client.post(URL, {**GOOD, "email": "ada@LAB.EXAMPLE"})
    assert response.status_code == 400
    assert list(response.json()) == ["email"]


def test_register_refuses_a_taken_discord_id(anon_client):
    """A Discord id identifies one person: unique across accounts."""
    UserFactory(username="first", discord_id="123456789012345678")
    response = anon_client.post(URL, {**GOOD, "discord_id": "123456789012345678"})
    assert response.status_code == 400
    assert response.json() == {"discord_id": ["This Discord id belongs to another account."]}


@pytest.mark.parametrize("discord_id", ["1234567890123456", "123456789012345678901", "12345678901234567a", "@ada", " "])
def test_register_validates_the_discord_id(anon_client, discord_id):
    """A Discord id is 17–20 digits; anything else is a field error (blank means none)."""
    response = anon_client.post(URL, {**GOOD, "discord_id": discord_id})
    if discord_id.strip():
        assert response.status_code == 400
        assert list(response.json()) == ["discord_id"]
    else:
        assert response.status_code == 201


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": "ada@lab.example", "password": "correct horse battery staple"}, "username"),
        ({"username": "ada", "password": "correct horse battery staple"}, "email"),
        ({"username": "ada", "email": "ada@lab.example"}, "password"),
        ({**GOOD, "username": None}, "username"),
        ({**GOOD, "email": None}, "email"),
        ({**GOOD, "password": None}, "password"),
        ({**GOOD, "username": ""}, "username"),
        ({**GOOD, "username": "a" * 151}, "username"),
        ({**GOOD, "username": "ada lovelace"}, "username"),
        ({**GOOD, "username": True}, "username"),
        ({**GOOD, "username": ["ada"]}, "username"),
        ({**GOOD, "username": {"name": "ada"}}, "username"),
        ({**GOOD, "email": "not-an-email"}, "email"),
        ({**GOOD, "email": "a" * 250 + "@lab.example"}, "email"),
        ({**GOOD, "email": 42}, "email"),
        ({**GOOD, "password": "x" * 1025}, "password"),
        ({**GOOD, "password": True}, "password"),
        ({**GOOD, "discord_id": 12}, "discord_id"),
        ({**GOOD, "discord_id": 123456789012345678}, "discord_id"),
        ({**GOOD, "discord_id": ["123456789012345678"]}, "discord_id"),
        ({**GOOD, "discord_id": "1" * 21}, "discord_id"),
    ],
)
def test_register_bad_input_is_a_field_error(anon_client, payload, field):
    """Missing fields, nulls, wrong types and oversized strings are 400 on the field, never 500."""
    response = anon_client.post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not User.objects.exists()


def test_register_refuses_nul_characters(anon_client):
    """A NUL anywhere in the JSON body is a 400 before any field is read (PostgreSQL cannot store it)."""
    response = anon_client.post(URL, {**GOOD, "username": "ada\x00"}, format="json")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert not User.objects.exists()


@pytest.mark.parametrize("body", ["[]", '"ada"', "null", "{not json"])
def test_register_non_object_bodies_are_a_400(anon_client, body):
    """A body that is not a JSON object is refused cleanly."""
    response = anon_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400


def test_register_ignores_a_bad_token_header(anon_client):
    """A stale Authorization header must not stop somebody from registering."""
    anon_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    assert anon_client.post(URL, GOOD).status_code == 201


def test_register_cannot_grant_privileges(anon_client):
    """Extra fields such as is_staff or groups are ignored: self-registration only makes members."""
    response = anon_client.post(URL, {**GOOD, "is_staff": True, "is_superuser": True, "groups": ["Lab managers"]})
    assert response.status_code == 201
    user = User.objects.get(username="ada")
    assert not user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == [LAB_MEMBERS]
