"""Reads about users shared by several callers."""

from core.hashing import secret_digest
from core.models import User

# Feed keys are new_secret(30): 40 characters. Anything much shorter is not worth a query.
CALENDAR_KEY_MIN_LENGTH = 20


def user_for_calendar_key(*, key: str) -> User | None:
    """The active user whose calendar feed key is `key` (compared by digest), or None."""
    if not key or len(key) < CALENDAR_KEY_MIN_LENGTH:
        return None
    return User.objects.filter(calendar_key_digest=secret_digest(key), is_active=True).first()
