"""Token authentication through a real `Authorization: Token <key>` header (no force_authenticate)."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from core import clock
from core.models import ApiToken
from core.services.tokens import token_create, token_revoke
from core.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)
INVALID = {"detail": "Invalid, expired or revoked token."}


def _client(header: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    return client


@pytest.fixture
def user():
    return UserFactory(username="ada")


def test_valid_token_authenticates(user):
    """A live key signs the caller in as its owner."""
    _, key = token_create(user=user, name="t")
    response = _client(f"Token {key}").get("/api/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "ada"


def test_keyword_is_case_insensitive(user):
    """`token <key>` works like `Token <key>`."""
    _, key = token_create(user=user, name="t")
    assert _client(f"token {key}").get("/api/me/").status_code == 200


def test_revoked_token_is_refused(user):
    """A revoked key is 401 from the next request on."""
    token, key = token_create(user=user, name="t")
    token_revoke(token=token, actor=user)
    response = _client(f"Token {key}").get("/api/me/")
    assert response.status_code == 401
    assert response.json() == INVALID


def test_expired_token_is_refused(user):
    """A key works until its expiry and is 401 from that instant."""
    with clock.frozen(T0):
        _, key = token_create(user=user, name="t", expires_at=T0 + timedelta(hours=1))
    client = _client(f"Token {key}")
    with clock.frozen(T0 + timedelta(minutes=59)):
        assert client.get("/api/me/").status_code == 200
    with clock.frozen(T0 + timedelta(hours=1)):
        assert client.get("/api/me/").status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Token wrong-key", "Token ", "Token a b", "Token", "Token " + "x" * 5000, "Token ünïcode"],
)
def test_wrong_or_malformed_keys_are_401(user, header):
    """Wrong, missing, split or odd keys are 401, never 500."""
    token_create(user=user, name="t")
    response = _client(header).get("/api/me/")
    assert response.status_code == 401


def test_key_of_inactive_user_is_refused(user):
    """Deactivating an account disables its tokens at once."""
    _, key = token_create(user=user, name="t")
    user.is_active = False
    user.save()
    assert _client(f"Token {key}").get("/api/me/").status_code == 401


def test_other_schemes_fall_through_to_anonymous():
    """A Bearer or Basic header is not ours: the request is simply unauthenticated."""
    assert _client("Bearer abc").get("/api/me/").status_code == 401


def test_last_used_is_updated_at_most_once_a_minute(user):
    """last_used moves on the first use and then only when a minute has passed."""
    with clock.frozen(T0):
        token, key = token_create(user=user, name="t")
    client = _client(f"Token {key}")
    with clock.frozen(T0):
        client.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used == T0
    with clock.frozen(T0 + timedelta(seconds=59)):
        client.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used == T0
    with clock.frozen(T0 + timedelta(seconds=60)):
        client.get("/api/me/")
    token.refresh_from_db()
    assert token.last_used == T0 + timedelta(seconds=60)


def test_using_a_token_within_the_minute_writes_nothing(user):
    """Within the minute a request only reads the token row (no UPDATE per request)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with clock.frozen(T0):
        _, key = token_create(user=user, name="t")
        client = _client(f"Token {key}")
        client.get("/api/me/")
    with clock.frozen(T0 + timedelta(seconds=30)), CaptureQueriesContext(connection) as queries:
        client.get("/api/me/")
    assert not [q for q in queries.captured_queries if q["sql"].upper().startswith("UPDATE")]


def test_token_of_one_user_never_authenticates_another():
    """Two users' keys map to their own owners."""
    a, b = UserFactory(username="a"), UserFactory(username="b")
    key_a = token_create(user=a, name="t")[1]
    key_b = token_create(user=b, name="t")[1]
    assert _client(f"Token {key_a}").get("/api/me/").json()["username"] == "a"
    assert _client(f"Token {key_b}").get("/api/me/").json()["username"] == "b"
    assert ApiToken.objects.count() == 2


def test_token_requests_need_no_csrf(user):
    """Scripts using a token POST without a CSRF token."""
    _, key = token_create(user=user, name="t")
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.patch("/api/me/", {"first_name": "Ada"}).status_code == 200


def test_session_writes_need_csrf(user):
    """A browser session may read /api/me/, but a write without the CSRF token is refused."""
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.get("/api/me/").status_code == 200
    response = client.patch("/api/me/", {"first_name": "Ada"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
