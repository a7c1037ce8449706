"""The one clock. Every "now" in labsite goes through `now()` so tests can move time."""

from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    """Return the current aware datetime (UTC), or the frozen one inside `frozen()`."""
    return _frozen if _frozen is not None else timezone.now()


@contextmanager
def frozen(at: datetime):
    """Freeze `now()` at an aware datetime for the duration of the block."""
    global _frozen
    if timezone.is_naive(at):
        raise ValueError("frozen() needs an aware datetime")
    previous, _frozen = _frozen, at
    try:
        yield at
    finally:
        _frozen = previous
