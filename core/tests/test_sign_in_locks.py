"""Password guessing: ten failures in a row lock one account for one client address, at every door."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import caches
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.models import AuditEvent
from core.roles import LAB_MANAGERS
from core.tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(groups):
    return UserFactory(username="alice")


def _fail(client, url, n, username="alice", field="username"):
    """n wrong passwords; the n-th that reaches the limit is itself answered with the lock (429)."""
    for k in range(1, n + 1):
        response = client.post(url, {field: username, "password": "wrong guess"})
        expected = 429 if k >= settings.AXES_FAILURE_LIMIT else 200
        assert response.status_code == expected, (k, response.status_code)


def test_ten_failures_lock_the_sign_in_page_even_for_the_right_password(alice):
    """The 11th attempt, with the right password, is a 429 page saying when to try again."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    _fail(client, reverse("login"), settings.AXES_FAILURE_LIMIT)
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-ins for this account from your address" in page
    assert "Try again in 15 minutes" in page
    assert 15 * 60 - 5 <= int(response["Retry-After"]) <= 15 * 60
    assert "<script>" not in page and "style=" not in page
    assert "_auth_user_id" not in client.session


def test_nine_failures_then_the_right_password_signs_in_and_resets_the_count(alice):
    """Failures count in a row: a success forgets them."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    _fail(client, reverse("login"), settings.AXES_FAILURE_LIMIT - 1)
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302
    assert not AccessAttempt.objects.filter(username="alice").exists()


def test_the_lock_is_per_account_and_address(alice, groups):
    """Another account behind the same address, and the same account elsewhere, still sign in."""
    UserFactory(username="bob")
    _fail(Client(REMOTE_ADDR="198.51.100.7"), reverse("login"), settings.AXES_FAILURE_LIMIT)
    same_nat = Client(REMOTE_ADDR="198.51.100.7")
    assert same_nat.post(reverse("login"), {"username": "bob", "password": PASSWORD}).status_code == 302
    elsewhere = Client(REMOTE_ADDR="203.0.113.9")
    assert elsewhere.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302


def test_the_account_is_one_whatever_the_case(alice):
    """"ALICE" and "alice" are one account, so changing the case does not reset the count."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    for username in ["ALICE", "alice", "Alice", "ａｌｉｃｅ"] * 3:
        client.post(reverse("login"), {"username": username, "password": "wrong guess"})
    assert client.post(reverse("login"), {"username": "Alice", "password": PASSWORD}).status_code == 429


def test_the_cool_off_ends_the_lock(alice):
    """Once AXES_COOLOFF_TIME has passed since the last failure, the right password works again."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    _fail(client, reverse("login"), settings.AXES_FAILURE_LIMIT)
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
        attempt.save(update_fields=["attempt_time"])
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302


def test_the_admin_sign_in_locks_too(groups):
    """/admin/login/ is the same door."""
    boss = UserFactory(username="boss")
    boss.groups.add(groups[LAB_MANAGERS])
    client = Client(REMOTE_ADDR="198.51.100.7")
    _fail(client, reverse("admin:login"), settings.AXES_FAILURE_LIMIT, username="boss")
    response = client.post(reverse("admin:login"), {"username": "boss", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()


def test_the_api_token_door_answers_json_with_retry_after(alice):
    """POST /api/auth/token/: 429 JSON with `detail` and `retry_after`, also for the right password."""
    client = APIClient(REMOTE_ADDR="198.51.100.7")
    url = reverse("core-api:token-create")
    for k in range(1, settings.AXES_FAILURE_LIMIT + 1):
        response = client.post(url, {"username": "alice", "password": "nope"}, format="json")
        assert response.status_code == (429 if k == settings.AXES_FAILURE_LIMIT else 400)
    response = client.post(url, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"].startswith("Too many failed sign-ins")
    assert body["retry_after"] == int(response["Retry-After"]) > 0
    assert not alice.api_tokens.exists()


def test_failures_at_one_door_count_at_the_others(alice):
    """The page, the admin and the API share one count per account and address."""
    web = Client(REMOTE_ADDR="198.51.100.7")
    _fail(web, reverse("login"), 5)
    _fail(web, reverse("admin:login"), 4)
    api = APIClient(REMOTE_ADDR="198.51.100.7")
    url = reverse("core-api:token-create")
    assert api.post(url, {"username": "alice", "password": "wrong guess"}, format="json").status_code == 429
    assert web.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 429


def test_the_registration_page_is_a_door(groups):
    """Ten refused registrations of one name from one address lock that name there (page and API)."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("register"), {"username": "carol", "email": "not-an-email"})
        assert response.status_code in (200, 429)
    form = {"username": "carol", "email": "carol@lab.example", "password1": PASSWORD, "password2": PASSWORD}
    assert client.post(reverse("register"), form).status_code == 429
    api = APIClient(REMOTE_ADDR="198.51.100.7")
    response = api.post(reverse("core-api:register"), {"username": "carol", "email": "carol@lab.example",
                                                        "password": PASSWORD}, format="json")
    assert response.status_code == 429 and "retry_after" in response.json()
    other = Client(REMOTE_ADDR="203.0.113.9")
    assert other.post(reverse("register"), form).status_code == 302


def test_managers_see_and_lift_locks_in_the_admin(alice, groups):
    """The lock is listed in the admin; lifting it (audited) lets the account sign in at once."""
    client = Client(REMOTE_ADDR="198.51.100.7")
    _fail(client, reverse("login"), settings.AXES_FAILURE_LIMIT)
    boss = UserFactory(username="boss")
    boss.groups.add(groups[LAB_MANAGERS])
    admin = Client()
    admin.force_login(boss)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin.get(changelist, {"locked_out": "yes"})
    assert page.status_code == 200
    assert "alice" in page.content.decode() and "198.51.100.7" in page.content.decode()
    ids = [str(a.pk) for a in AccessAttempt.objects.all()]
    response = admin.post(changelist, {"action": "lift_locks", "_selected_action": ids})
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    event = AuditEvent.objects.get(action="core.sign_in_lock.lifted")
    assert event.actor == boss and event.data == {"username": "alice", "ip_address": "198.51.100.7"}
    assert client.post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 302


def test_members_cannot_see_the_locks(member):
    client = Client()
    client.force_login(member)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 302


def test_throttles_use_a_cache_shared_by_every_process():
    """Without CACHE_URL the cache is the database table, never one process's memory."""
    backend = settings.CACHES["default"]["BACKEND"]
    assert backend == "django.core.cache.backends.db.DatabaseCache"
    caches["default"].set("shared-check", 1)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {settings.CACHES['default']['LOCATION']}")
        assert cursor.fetchone()[0] >= 1


def test_a_per_process_cache_is_a_configuration_warning(settings):
    """`check` warns when CACHE_URL names a cache that lives in one process's memory."""
    from core.checks import shared_cache_check

    assert shared_cache_check(None) == []
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_cache_check(None)] == ["core.W001"]


@pytest.mark.parametrize("typed", ["alice", "Alice", "ALICE", " alice ", "ａｌｉｃｅ"])
def test_every_door_takes_the_username_in_any_case(alice, typed):
    """The sign-in page, the admin's and the API token door find the account by its username key, as
    accounts are made (one name whatever the case or Unicode form)."""
    alice.is_staff = True
    alice.save()
    page = Client(REMOTE_ADDR="198.51.100.7")
    assert page.post(reverse("login"), {"username": typed, "password": PASSWORD}).status_code == 302
    assert page.session["_auth_user_id"] == str(alice.pk)
    admin = Client(REMOTE_ADDR="198.51.100.8")
    assert admin.post(reverse("admin:login"), {"username": typed, "password": PASSWORD}).status_code == 302
    assert admin.session["_auth_user_id"] == str(alice.pk)
    token = APIClient(REMOTE_ADDR="198.51.100.9").post(reverse("core-api:token-create"),
                                                        {"username": typed, "password": PASSWORD, "name": "script"},
                                                        format="json")
    assert token.status_code == 201, token.content
    assert alice.api_tokens.count() == 1


def test_a_name_that_is_no_account_is_refused(alice):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for typed in ["alicia", "", "alice\u200b"]:
        response = client.post(reverse("login"), {"username": typed, "password": PASSWORD})
        assert response.status_code == 200 and "_auth_user_id" not in client.session, typed
