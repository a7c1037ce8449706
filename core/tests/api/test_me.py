import pytest

from core.models import AuditEvent
from core.roles import LAB_MANAGERS, LAB_MEMBERS
from core.tests.factories import UserFactory

URL = "/api/me/"

pytestmark = pytest.mark.django_db


def test_me_anonymous_is_401(anon_client):
    """Anonymous callers are asked for a token."""
    response = anon_client.get(URL)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert anon_client.patch(URL, {"first_name": "x"}).status_code == 401


def test_me_shows_the_member(member_client, member):
    """GET /api/me/ returns who the caller is, with groups and the manager flag."""
    member.discord_id = "123456789012345678"
    member.save()
    response = member_client.get(URL)
    assert response.status_code == 200
    assert response.json() == {
        "id": member.pk,
        "username": "member",
        "email": "member@lab.example",
        "first_name": "",
        "last_name": "",
        "discord_id": "123456789012345678",
        "is_lab_manager": False,
        "groups": [LAB_MEMBERS],
    }


def test_me_flags_lab_managers_and_superusers(manager_client, client_for):
    """is_lab_manager is true for Lab managers and superusers."""
    body = manager_client.get(URL).json()
    assert body["is_lab_manager"] is True
    assert body["groups"] == [LAB_MANAGERS]
    root = UserFactory(username="root", is_superuser=True)
    assert client_for(root).get(URL).json()["is_lab_manager"] is True


def test_me_query_count(member_client, django_assert_max_num_queries):
    """The profile costs a handful of queries (groups, then the permission check)."""
    with django_assert_max_num_queries(3):
        assert member_client.get(URL).status_code == 200


def test_me_patch_changes_contact_details(member_client, member):
    """Email, names and Discord id can be changed; an audit event lists the fields."""
    response = member_client.patch(
        URL, {"email": "new@lab.example", "first_name": "Ada", "last_name": "Lovelace", "discord_id": "123456789012345678"}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["email"], body["first_name"], body["last_name"], body["discord_id"]) == (
        "new@lab.example", "Ada", "Lovelace", "123456789012345678",
    )
    member.refresh_from_db()
    assert member.email == "new@lab.example"
    event = AuditEvent.objects.get(action="core.user.updated")
    assert event.data == {"fields": ["discord_id", "email", "first_name", "last_name"]}
    assert event.actor == member


def test_me_patch_without_changes_writes_no_audit_event(member_client):
    """Saving the same values is a no-op."""
    assert member_client.patch(URL, {"email": "member@lab.example"}).status_code == 200
    assert not AuditEvent.objects.filter(action="core.user.updated").exists()


@pytest.mark.parametrize("value", [None, ""])
def test_me_patch_can_remove_the_discord_id(member_client, member, value):
    """null or "" removes the Discord id (stored as NULL)."""
    member.discord_id = "123456789012345678"
    member.save()
    assert member_client.patch(URL, {"discord_id": value}, format="json").json()["discord_id"] is None
    member.refresh_from_db()
    assert member.discord_id is None


@pytest.mark.parametrize(
    "payload",
    [{"username": "boss"}, {"is_staff": True}, {"is_superuser": True}, {"groups": [LAB_MANAGERS]}, {"id": 1},
     {"is_lab_manager": True}, {"password": "x"}],
)
def test_me_patch_refuses_privileged_fields(member_client, member, payload):
    """Username, staff flags, groups and the like cannot be changed here: 400 naming the field."""
    response = member_client.patch(URL, {**payload, "first_name": "Ada"}, format="json")
    assert response.status_code == 400
    field = next(iter(payload))
    assert response.json() == {field: ["This field cannot be changed here."]}
    member.refresh_from_db()
    assert member.username == "member" and not member.is_staff and not member.is_superuser
    assert member.first_name == ""
    assert list(member.groups.values_list("name", flat=True)) == [LAB_MEMBERS]


def test_me_patch_refuses_a_taken_email_or_discord_id(member_client, other_member):
    """Another account's email (any case) or Discord id is a field error."""
    other_member.discord_id = "123456789012345678"
    other_member.save()
    response = member_client.patch(URL, {"email": "OTHER@lab.example"})
    assert response.status_code == 400
    assert list(response.json()) == ["email"]
    response = member_client.patch(URL, {"discord_id": "123456789012345678"})
    assert response.status_code == 400
    assert list(response.json()) == ["discord_id"]


def test_me_patch_keeps_own_email_in_another_case(member_client, member):
    """Changing only the case of one's own address is not a duplicate."""
    assert member_client.patch(URL, {"email": "Member@lab.example"}).status_code == 200


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"email": None}, "email"),
        ({"email": ""}, "email"),
        ({"email": "nope"}, "email"),
        ({"email": ["a@lab.example"]}, "email"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"first_name": None}, "first_name"),
        ({"last_name": {"a": 1}}, "last_name"),
        ({"discord_id": "12345"}, "discord_id"),
        ({"discord_id": "1" * 21}, "discord_id"),
        ({"discord_id": 123456789012345678}, "discord_id"),
        ({"discord_id": ["123456789012345678"]}, "discord_id"),
    ],
)
def test_me_patch_bad_input_is_a_field_error(member_client, payload, field):
    """Nulls, wrong types, oversized strings and invalid values are 400 on the field."""
    response = member_client.patch(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_me_patch_non_object_body_is_400(member_client):
    """A JSON list instead of an object is refused cleanly."""
    assert member_client.patch(URL, "[]", content_type="application/json").status_code == 400


def test_me_other_methods_are_405(member_client):
    """Accounts are not deleted or replaced through /api/me/."""
    assert member_client.put(URL, {"email": "x@lab.example"}).status_code == 405
    assert member_client.delete(URL).status_code == 405
