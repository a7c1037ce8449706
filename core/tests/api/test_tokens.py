from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from core import clock
from core.models import ApiToken, AuditEvent
from core.services.tokens import token_create
from core.tests.factories import UserFactory

URL = "/api/auth/token/"
PASSWORD = "correct horse battery staple"
SIGN_IN_FAILED = {"detail": "Unable to sign in with these credentials."}

pytestmark = pytest.mark.django_db


def test_token_create_returns_the_key_once(anon_client, member):
    """The key is in the 201 answer and nowhere else: only its digest is stored."""
    response = anon_client.post(URL, {"username": "member", "password": PASSWORD, "name": "osa-sweep.py"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"token", "id", "name", "prefix", "created_at", "expires_at"}
    assert body["name"] == "osa-sweep.py"
    assert body["token"].startswith(body["prefix"])
    assert len(body["token"]) >= 40
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == member
    assert body["token"] not in (token.key_digest, token.prefix)
    assert AuditEvent.objects.filter(action="core.token.created", target_id=str(token.pk)).exists()


def test_token_create_defaults_name_and_no_expiry(anon_client, member):
    """Name and expiry are optional."""
    body = anon_client.post(URL, {"username": "member", "password": PASSWORD}).json()
    assert body["name"] == "API token"
    assert body["expires_at"] is None


def test_token_create_with_expiry(anon_client, member):
    """An expiry in the future is kept, with its offset."""
    with clock.frozen(datetime(2026, 5, 1, 12, 0, tzinfo=UTC)):
        response = anon_client.post(URL, {"username": "member", "password": PASSWORD, "expires_at": "2026-06-01T00:00:00+00:00"})
    assert response.status_code == 201
    assert ApiToken.objects.get().expires_at == datetime(2026, 6, 1, tzinfo=UTC)


def test_token_create_refuses_an_expiry_in_the_past(anon_client, member):
    """A token that would be born expired is a 400 on expires_at."""
    with clock.frozen(datetime(2026, 5, 1, 12, 0, tzinfo=UTC)):
        response = anon_client.post(URL, {"username": "member", "password": PASSWORD, "expires_at": "2026-04-01T00:00:00Z"})
    assert response.status_code == 400
    assert "expires_at" in response.json()
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "username, password",
    # ("MEMBER", PASSWORD) signs in: names are one account in any case (test_sign_in_locks.py).
    [("member", "wrong password"), ("nobody", PASSWORD), ("nobody", "wrong"), ("MEMBER", "wrong password"), ("membre", PASSWORD)],
)
def test_token_create_wrong_credentials_give_one_generic_message(anon_client, member, username, password):
    """Wrong username or wrong password: the same 400, so the answer reveals no usernames."""
    response = anon_client.post(URL, {"username": username, "password": password})
    assert response.status_code == 400
    assert response.json() == SIGN_IN_FAILED
    assert not ApiToken.objects.exists()


def test_token_create_refuses_inactive_users_the_same_way(anon_client, member):
    """A deactivated account cannot get a token, and the answer does not say it exists."""
    member.is_active = False
    member.save()
    response = anon_client.post(URL, {"username": "member", "password": PASSWORD})
    assert response.status_code == 400
    assert response.json() == SIGN_IN_FAILED


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"password": PASSWORD}, "username"),
        ({"username": "member"}, "password"),
        ({"username": None, "password": PASSWORD}, "username"),
        ({"username": "member", "password": None}, "password"),
        ({"username": ["member"], "password": PASSWORD}, "username"),
        ({"username": "member", "password": {"a": 1}}, "password"),
        ({"username": "m" * 151, "password": PASSWORD}, "username"),
        ({"username": 12, "password": []}, "password"),
        ({"username": "member", "password": "p" * 1025}, "password"),
        ({"username": "member", "password": PASSWORD, "name": "n" * 101}, "name"),
        ({"username": "member", "password": PASSWORD, "name": ""}, "name"),
        ({"username": "member", "password": PASSWORD, "name": None}, "name"),
        ({"username": "member", "password": PASSWORD, "expires_at": "next tuesday"}, "expires_at"),
        ({"username": "member", "password": PASSWORD, "expires_at": 12}, "expires_at"),
    ],
)
def test_token_create_bad_input_is_a_field_error(anon_client, member, payload, field):
    """Missing fields, nulls, wrong types and oversized strings are 400 on the field, never 500."""
    response = anon_client.post(URL, payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_token_create_is_throttled(anon_client, member, settings):
    """With the auth rate at 10/min, the 11th attempt from one client is 429, right or wrong."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "10/min"}}
    for attempt in range(10):
        password = PASSWORD if attempt == 9 else "guess"
        assert anon_client.post(URL, {"username": "member", "password": password}).status_code in (201, 400)
    response = anon_client.post(URL, {"username": "member", "password": PASSWORD})
    assert response.status_code == 429
    assert "Retry-After" in response.headers


def test_token_create_throttle_ignores_forged_forwarded_for(anon_client, member, settings):
    """A client cannot dodge the limit by sending a new X-Forwarded-For each time."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "10/min"}}
    for attempt in range(10):
        anon_client.post(URL, {"username": "member", "password": "guess"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}")
    response = anon_client.post(URL, {"username": "member", "password": "guess"}, HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert response.status_code == 429


def test_register_shares_the_auth_throttle(anon_client, settings):
    """Registration is throttled in the same "auth" scope as signing in."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"auth": "2/min"}}
    payload = {"username": "x", "email": "bad", "password": "p"}
    assert [anon_client.post("/api/auth/register/", payload).status_code for _ in range(3)] == [400, 400, 429]


def test_tokens_list_shows_own_tokens_without_keys(member_client, member, other_member):
    """GET /api/auth/tokens/ lists the caller's tokens only, never a key or digest."""
    mine, key = token_create(user=member, name="mine")
    token_create(user=other_member, name="theirs")
    response = member_client.get("/api/auth/tokens/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert set(row) == {"id", "name", "prefix", "created_at", "expires_at", "last_used", "revoked_at", "is_active"}
    assert row["id"] == mine.pk and row["is_active"] is True
    assert key not in response.content.decode()
    assert mine.key_digest not in response.content.decode()


def test_tokens_list_has_a_constant_query_count(member_client, member, django_assert_max_num_queries):
    """Listing 3 or 30 tokens costs the same queries."""
    for i in range(30):
        token_create(user=member, name=f"t{i}")
    with django_assert_max_num_queries(3):
        assert member_client.get("/api/auth/tokens/").json()["count"] == 30


def test_token_revoke_own_token(member_client, member):
    """Revoking marks the token and records who did it; revoking again changes nothing."""
    token, _ = token_create(user=member, name="t")
    response = member_client.post(f"/api/auth/tokens/{token.pk}/revoke/")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    token.refresh_from_db()
    revoked_at = token.revoked_at
    assert revoked_at is not None
    assert member_client.post(f"/api/auth/tokens/{token.pk}/revoke/").status_code == 200
    token.refresh_from_db()
    assert token.revoked_at == revoked_at
    assert AuditEvent.objects.filter(action="core.token.revoked").count() == 1


def test_token_revoke_of_another_users_token_is_404(member_client, other_member):
    """Other people's tokens do not exist for the caller, not even as a 403."""
    theirs, _ = token_create(user=other_member, name="theirs")
    assert member_client.post(f"/api/auth/tokens/{theirs.pk}/revoke/").status_code == 404
    assert member_client.get(f"/api/auth/tokens/{theirs.pk}/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_token_revoke_unknown_or_malformed_id_is_404(member_client):
    """Unknown ids are 404, never 500."""
    assert member_client.post("/api/auth/tokens/999999/revoke/").status_code == 404
    assert member_client.post("/api/auth/tokens/abc/revoke/").status_code == 404


@pytest.mark.parametrize("path, method", [("/api/auth/tokens/", "get"), ("/api/auth/tokens/1/revoke/", "post")])
def test_tokens_endpoints_need_a_signed_in_user(anon_client, path, method):
    """Anonymous callers get 401 with a Token challenge."""
    response = getattr(anon_client, method)(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_token_revoke_rejects_other_methods(member_client, member):
    """GET on a transition is 405; tokens cannot be deleted or edited through the API."""
    token, _ = token_create(user=member, name="t")
    assert member_client.get(f"/api/auth/tokens/{token.pk}/revoke/").status_code == 405
    assert member_client.delete(f"/api/auth/tokens/{token.pk}/").status_code == 405
    assert member_client.patch(f"/api/auth/tokens/{token.pk}/", {"name": "x"}).status_code == 405


def test_token_issued_by_the_api_signs_in_and_revocation_signs_out(anon_client, member):
    """End to end: sign in, use the key, revoke it with itself, and it stops working."""
    key = anon_client.post(URL, {"username": "member", "password": PASSWORD}).json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/me/").json()["username"] == "member"
    token_id = client.get("/api/auth/tokens/").json()["results"][0]["id"]
    assert client.post(f"/api/auth/tokens/{token_id}/revoke/").status_code == 200
    assert client.get("/api/me/").status_code == 401


def test_other_user_tokens_do_not_leak_by_username(anon_client):
    """Two users with tokens: each lists only their own."""
    a = UserFactory(username="a")
    b = UserFactory(username="b")
    token_create(user=a, name="a1")
    token_create(user=b, name="b1")
    key = token_create(user=a, name="a2")[1]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert sorted(r["name"] for r in client.get("/api/auth/tokens/").json()["results"]) == ["a1", "a2"]


def test_tokens_list_marks_expired_tokens_inactive(member_client, member):
    """is_active is false once expires_at has passed."""
    with clock.frozen(datetime(2026, 5, 1, tzinfo=UTC)):
        token_create(user=member, name="short", expires_at=datetime(2026, 5, 2, tzinfo=UTC))
    with clock.frozen(datetime(2026, 5, 3, tzinfo=UTC)):
        assert member_client.get("/api/auth/tokens/").json()["results"][0]["is_active"] is False
    with clock.frozen(datetime(2026, 5, 1, 12, tzinfo=UTC) + timedelta(hours=1)):
        assert member_client.get("/api/auth/tokens/").json()["results"][0]["is_active"] is True
