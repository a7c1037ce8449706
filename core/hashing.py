"""Hashing helpers: passwords through Django's hashers, digests for high-entropy secrets."""

import hashlib
import hmac
import secrets

from django.contrib.auth.hashers import check_password, make_password


def hash_password(raw: str) -> str:
    """Hash a password with the configured Django hasher (salted, slow)."""
    return make_password(raw)


def verify_password(raw: str, encoded: str) -> bool:
    """Check a password against a stored hash in constant time."""
    return check_password(raw, encoded)


def secret_digest(secret: str) -> str:
    """SHA-256 hex digest of a random secret (API token, feed key). Not for passwords."""
    return hashlib.sha256(secret.encode()).hexdigest()


def digests_equal(a: str, b: str) -> bool:
    """Compare two digests in constant time."""
    return hmac.compare_digest(a, b)


def new_secret(nbytes: int = 30) -> str:
    """A URL-safe random secret."""
    return secrets.token_urlsafe(nbytes)
