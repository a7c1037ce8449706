"""API tokens: create (the key is shown once), authenticate, revoke."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction

from core import clock
from core.exceptions import ApplicationError
from core.hashing import new_secret, secret_digest
from core.models import ApiToken
from core.services.audit import audit_log
from core.statements import Columns, Joined, read_one


@transaction.atomic
def token_create(*, user, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """Create a token for `user`; return it with the plain key, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError("Give the token a name, e.g. the script that will use it.", {"name": ["This field is required."]})
    if expires_at is not None and expires_at <= clock.now():
        raise ApplicationError("The expiry must be in the future.", {"expires_at": ["Must be in the future."]})
    key = new_secret(30)
    token = ApiToken.objects.create(user=user, name=name[:100], key_digest=secret_digest(key), prefix=key[:8], expires_at=expires_at)
    audit_log(actor=user, action="core.token.created", target=token, data={"name": token.name})
    return token, key


def token_state(token: ApiToken, *, now: datetime | None = None) -> str:
    """"revoked", "expired" or "active": only an active token authenticates."""
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at and token.expires_at <= (now or clock.now()):
        return "expired"
    return "active"


def token_authenticate(*, key: str) -> ApiToken | None:
    """Return the live token for `key` (not revoked, not expired), touching last_used at most once a minute."""
    if not key:
        return None
    token = _token_with_user(secret_digest(key))
    now = clock.now()
    if token is None or token_state(token, now=now) != "active":
        return None
    if not token.user.is_active:
        return None
    if token.last_used is None or now - token.last_used >= settings.API_TOKEN_LAST_USED_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token


_TOKEN_WITH_USER = Joined(Columns(ApiToken, "t"), "user", Columns(get_user_model(), "u"))


def _token_with_user(digest: str) -> ApiToken | None:
    """The token with this digest and its user: `ApiToken.objects.select_related("user")
    .filter(key_digest=digest).first()` (the digest is unique), written once (core.statements) because
    every token-authenticated request runs it."""
    return read_one(_TOKEN_WITH_USER, "key_digest", digest, connection)


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """Revoke a token; revoking twice changes nothing."""
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit_log(actor=actor, action="core.token.revoked", target=token)
    return token
