import pytest
from django.core.exceptions import ValidationError

from core.exceptions import NotAllowed
from core.hashing import secret_digest
from core.models import AuditEvent, User
from core.selectors import user_for_calendar_key
from core.services.users import (
    user_calendar_key_regenerate,
    user_calendar_key_revoke,
    user_register,
    user_update_profile,
)
from core.tests.factories import UserFactory

PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db


def test_user_register_normalises_and_audits():
    """Whitespace is trimmed, the email domain lower-cased, and one audit event written."""
    user = user_register(username="  ada ", email="Ada@LAB.Example", password=PASSWORD, discord_id=" 123456789012345678 ")
    assert (user.username, user.email, user.discord_id) == ("ada", "Ada@lab.example", "123456789012345678")
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.data) == ("core.user.registered", user, {"username": "ada"})
    assert PASSWORD not in str(event.data)


def test_user_register_refused_when_closed(settings):
    """The service itself enforces REGISTRATION_OPEN, so pages and API agree."""
    settings.REGISTRATION_OPEN = False
    with pytest.raises(NotAllowed):
        user_register(username="ada", email="ada@lab.example", password=PASSWORD)
    assert not User.objects.exists()


def test_user_register_reports_every_duplicate_at_once():
    """Username, email and Discord id clashes come back together, keyed by field."""
    UserFactory(username="ada", email="ada@lab.example", discord_id="123456789012345678")
    with pytest.raises(ValidationError) as exc:
        user_register(username="ADA", email="ADA@lab.example", password=PASSWORD, discord_id="123456789012345678")
    assert set(exc.value.message_dict) == {"username", "email", "discord_id"}


def test_user_register_rejects_invalid_usernames():
    """Django's username rules still apply (letters, digits and @/./+/-/_ only)."""
    with pytest.raises(ValidationError) as exc:
        user_register(username="ada lovelace", email="ada@lab.example", password=PASSWORD)
    assert "username" in exc.value.message_dict


def test_user_update_profile_refuses_unknown_fields():
    """Only contact details: the service refuses anything else even if a caller passes it."""
    user = UserFactory(username="ada")
    with pytest.raises(ValidationError) as exc:
        user_update_profile(user=user, actor=user, data={"is_staff": True})
    assert exc.value.message_dict == {"is_staff": ["This field cannot be changed here."]}
    user.refresh_from_db()
    assert not user.is_staff


def test_calendar_key_regenerate_returns_the_key_and_stores_its_digest():
    """The key is returned once; only its digest is kept, and it finds the user."""
    user = UserFactory()
    key = user_calendar_key_regenerate(user=user)
    user.refresh_from_db()
    assert len(key) >= 40 and user.calendar_key_digest == secret_digest(key)
    assert user_for_calendar_key(key=key) == user
    assert user_calendar_key_regenerate(user=user) != key
    assert user_for_calendar_key(key=key) is None


def test_calendar_key_revoke_turns_the_feed_off_once():
    """Revoking clears the digest and is audited; a second revoke changes and records nothing."""
    user, manager = UserFactory(), UserFactory()
    key = user_calendar_key_regenerate(user=user)
    assert user_calendar_key_revoke(user=user, actor=manager) is True
    assert user_for_calendar_key(key=key) is None
    assert user_calendar_key_revoke(user=user, actor=manager) is False
    assert AuditEvent.objects.filter(action="core.user.calendar_key_revoked", actor=manager).count() == 1


def test_inactive_users_feed_key_finds_nobody():
    user = UserFactory()
    key = user_calendar_key_regenerate(user=user)
    user.is_active = False
    user.save()
    assert user_for_calendar_key(key=key) is None
@pytest.mark.parametrize(("first", "second"), [("Äpfel", "äpfel"), ("straße", "STRASSE"), ("ﬁsh", "FISH"), ("ａｄａ", "Ada")])
def test_usernames_that_fold_to_one_key_are_one_account(db, groups, first, second):
    """SQLite's lower() is ASCII-only; the stored key (NFKC + casefold) makes both databases agree."""
    from core.usernames import username_key

    user = user_register(username=first, email="one@lab.example", password=PASSWORD)
    assert user.username_key == username_key(first) == username_key(second)
    with pytest.raises(ValidationError) as error:
        user_register(username=second, email="two@lab.example", password=PASSWORD)
    assert "username" in error.value.message_dict
    assert User.objects.count() == 1


def test_the_admin_refuses_a_username_that_folds_onto_another(db, groups):
    from django.test import Client

    UserFactory(username="Äpfel")
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    response = client.post("/admin/core/user/add/", {
        "username": "äpfel", "email": "x@lab.example", "usable_password": "true",
        "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert "username" in response.context["adminform"].form.errors
    assert User.objects.filter(username_key="äpfel").count() == 1
