import pytest
from django.test import Client
from django.urls import reverse

from core.models import ApiToken, AuditEvent, User
from core.services.audit import audit_log
from core.services.tokens import token_create
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_():
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    client.user = root
    return client


def test_user_admin_lists_and_searches_by_discord_id(admin_client_):
    """The user list shows the Discord id and finds users by it."""
    UserFactory(username="ada", discord_id="123456789012345678")
    UserFactory(username="bob")
    response = admin_client_.get(reverse("admin:core_user_changelist"), {"q": "123456789012345678"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1
    assert "123456789012345678" in response.content.decode()


def test_user_admin_change_page_edits_discord_id(admin_client_):
    """The change form has the Discord id, validated like everywhere else."""
    ada = UserFactory(username="ada")
    url = reverse("admin:core_user_change", args=[ada.pk])
    page = admin_client_.get(url)
    assert page.status_code == 200
    assert 'name="discord_id"' in page.content.decode()
    form = {
        "username": "ada", "email": "ada@lab.example", "discord_id": "12", "is_active": "on",
        "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00",
        "api_tokens-TOTAL_FORMS": "0", "api_tokens-INITIAL_FORMS": "0",
    }
    response = admin_client_.post(url, form)
    assert response.status_code == 200  # re-shown with the error
    assert "17–20 digit" in response.content.decode()
    response = admin_client_.post(url, {**form, "discord_id": "123456789012345678"})
    assert response.status_code == 302, response.context["adminform"].errors if response.context else ""
    ada.refresh_from_db()
    assert ada.discord_id == "123456789012345678"


def test_user_admin_add_form_creates_a_user(admin_client_):
    """Managers can create accounts (e.g. when registration is closed)."""
    response = admin_client_.post(
        reverse("admin:core_user_add"),
        {"username": "new", "email": "new@lab.example", "discord_id": "", "usable_password": "true",
         "password1": "correct horse battery staple", "password2": "correct horse battery staple"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="new")
    assert user.check_password("correct horse battery staple")
    assert user.discord_id is None


def test_user_admin_shows_tokens_without_keys(admin_client_):
    """The user page lists the user's tokens, never a key or digest."""
    ada = UserFactory(username="ada")
    token, key = token_create(user=ada, name="osa script")
    page = admin_client_.get(reverse("admin:core_user_change", args=[ada.pk])).content.decode()
    assert "osa script" in page
    assert key not in page and token.key_digest not in page


def test_api_token_admin_has_no_add_and_never_shows_the_digest(admin_client_):
    """Tokens are created by their owners; the admin lists them without secrets."""
    ada = UserFactory(username="ada")
    token, key = token_create(user=ada, name="osa script")
    assert admin_client_.get(reverse("admin:core_apitoken_add")).status_code == 403
    listing = admin_client_.get(reverse("admin:core_apitoken_changelist")).content.decode()
    detail = admin_client_.get(reverse("admin:core_apitoken_change", args=[token.pk])).content.decode()
    for page in (listing, detail):
        assert "osa script" in page
        assert key not in page and token.key_digest not in page


def test_api_token_admin_revoke_action(admin_client_):
    """The revoke action goes through token_revoke: revoked_at set, audit event by the manager."""
    ada = UserFactory(username="ada")
    token, _ = token_create(user=ada, name="t")
    response = admin_client_.post(
        reverse("admin:core_apitoken_changelist"), {"action": "revoke_tokens", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Revoked 1 token(s)" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="core.token.revoked")
    assert event.actor == admin_client_.user


def test_audit_admin_is_read_only(admin_client_):
    """Nobody, not even a superuser, adds, edits or deletes audit events."""
    from django.db import transaction

    with transaction.atomic():
        event = audit_log(actor=None, action="core.test.done", data={"a": 1})
    assert admin_client_.get(reverse("admin:core_auditevent_add")).status_code == 403
    change_url = reverse("admin:core_auditevent_change", args=[event.pk])
    page = admin_client_.get(change_url)
    assert page.status_code == 200  # viewable
    assert 'name="action"' not in page.content.decode()
    assert admin_client_.post(change_url, {"action": "forged"}).status_code == 403
    assert admin_client_.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.action == "core.test.done"


def test_audit_admin_filters_and_searches(admin_client_, django_assert_max_num_queries):
    """Filter by action and date, search by target or actor, in a few queries."""
    from django.db import transaction

    ada = UserFactory(username="ada")
    with transaction.atomic():
        for _ in range(20):
            audit_log(actor=ada, action="core.user.updated", target=ada)
        token_create(user=ada, name="probe")
    url = reverse("admin:core_auditevent_changelist")
    with django_assert_max_num_queries(12):
        assert admin_client_.get(url).status_code == 200
    assert admin_client_.get(url, {"action": "core.token.created"}).context["cl"].result_count == 1
    assert admin_client_.get(url, {"q": "probe"}).context["cl"].result_count == 1
    assert admin_client_.get(url, {"q": "ada"}).context["cl"].result_count == 21
    assert admin_client_.get(url, {"created_at__gte": "2000-01-01"}).context["cl"].result_count == 21
    assert ApiToken.objects.count() == 1
