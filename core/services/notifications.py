"""The notification outbox: record messages with the change, deliver them later from the worker.

Recording (`notification_record`) runs inside the transaction of the change that caused it, so a
rolled-back change leaves no notification, and it does no network I/O: a request never waits on
Discord. Delivery (`notifications_deliver_due`) runs in `manage.py run_worker`:

1. claim: in a short transaction, pick due pending rows with `select_for_update(skip_locked=True)`
   and lease them (attempts + 1, next_attempt_at = end of the lease), then commit;
2. deliver: POST each one outside any transaction;
3. record the outcome, only if the row is still ours (same attempts count, still pending).

So two workers never post the same row, and a crashed worker's rows are retried once its lease
runs out. Failures are retried with exponential backoff (NOTIFY_BACKOFF_SECONDS · 2^(attempts-1),
capped at NOTIFY_BACKOFF_MAX_SECONDS); an HTTP 429 waits the `retry_after` Discord asks for (at most
NOTIFY_RETRY_AFTER_MAX_SECONDS: a misbehaving answer such as 1e12 s must not park the row past the
calendar) and does not count as an attempt; other 4xx fail at once; after NOTIFY_MAX_ATTEMPTS the row
is failed (the admin's "retry" action puts it back). An unexpected error while delivering one row is
logged and recorded on that row as a failed attempt; the others go on.
"""

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F

from core import clock, statements
from core.choices import NotificationStatus
from core.discord import webhook_post
from core.models import Notification

logger = logging.getLogger(__name__)

CHANNEL_NAME = re.compile(r"^[a-z][a-z0-9_]{0,9}$")  # fits Notification.destination


def webhook_url(destination: str) -> str:
    """The webhook of a channel: the setting DISCORD_<CHANNEL>_WEBHOOK_URL ("" when unset or empty).

    Channels are named by the apps that record notifications; core only delivers them.
    """
    if not CHANNEL_NAME.match(destination or ""):
        return ""
    return getattr(settings, f"DISCORD_{destination.upper()}_WEBHOOK_URL", "") or ""


def notification_record(*, event: str, destination: str, build: Callable[[], dict | list[dict] | None]) -> list[Notification]:
    """Write the messages `build()` returns to the outbox, in the caller's transaction.

    A failure to build a message is logged and swallowed (inside a savepoint): a notification must
    never undo the change it announces. With no webhook URL configured the rows are kept
    with status "disabled" and never delivered.
    """
    try:
        with transaction.atomic():
            payloads = build()
            if payloads is None:
                return []
            if isinstance(payloads, dict):
                payloads = [payloads]
            status = NotificationStatus.PENDING if webhook_url(destination) else NotificationStatus.DISABLED
            now = clock.now()
            return statements.insert(
                [
                    Notification(
                        event=event,
                        destination=destination,
                        payload=payload,
                        status=status,
                        next_attempt_at=now,
                        created_at=now,
                        last_error="" if status == NotificationStatus.PENDING else "No webhook URL configured.",
                    )
                    for payload in payloads
                ]
            )
    except Exception:
        logger.exception("Could not record the %s notification; the change itself goes ahead", event)
        return []


def notification_retry(*, notification: Notification) -> bool:
    """Put a failed (or disabled) notification back in the queue, due now. Returns False if it was not failed/disabled."""
    updated = Notification.objects.filter(
        pk=notification.pk, status__in=[NotificationStatus.FAILED, NotificationStatus.DISABLED]
    ).update(status=NotificationStatus.PENDING, attempts=0, next_attempt_at=clock.now(), last_error="")
    return bool(updated)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed tries: base · 2^(attempts-1), capped."""
    seconds = settings.NOTIFY_BACKOFF_SECONDS * 2 ** max(0, min(attempts - 1, 30))
    return timedelta(seconds=min(seconds, settings.NOTIFY_BACKOFF_MAX_SECONDS))


def lease_duration(batch_size: int) -> timedelta:
    """How long a claimed batch stays reserved: enough for every POST in it to time out, plus a margin."""
    return timedelta(seconds=batch_size * settings.DISCORD_TIMEOUT + 60)


def notifications_claim(*, limit: int) -> tuple[list[Notification], object]:
    """Lease up to `limit` due pending notifications for this worker. Returns them and the lease's end."""
    now = clock.now()
    lease_until = now + lease_duration(limit)
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=NotificationStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return [], lease_until
        Notification.objects.filter(id__in=ids).update(attempts=F("attempts") + 1, next_attempt_at=lease_until)
        rows = list(Notification.objects.filter(id__in=ids).order_by("id"))
    return rows, lease_until


def _finish(notification: Notification, **changes) -> bool:
    """Record an outcome unless another worker took the row over (its lease ran out)."""
    updated = Notification.objects.filter(
        pk=notification.pk, status=NotificationStatus.PENDING, attempts=notification.attempts
    ).update(**changes)
    if not updated:
        logger.warning("Notification %s was taken over by another worker; outcome not recorded", notification.pk)
    return bool(updated)


@dataclass
class PassResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    disabled: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retried + self.failed + self.disabled


def notification_deliver(notification: Notification, *, client: requests.Session | None = None) -> str:
    """Post one claimed notification and record how it went. Returns the new state."""
    url = webhook_url(notification.destination)
    if not url:
        _finish(notification, status=NotificationStatus.DISABLED, last_error="No webhook URL configured.")
        return "disabled"
    result = webhook_post(url, notification.payload, timeout=settings.DISCORD_TIMEOUT, client=client)
    now = clock.now()
    if result.outcome == "sent":
        _finish(notification, status=NotificationStatus.SENT, sent_at=now, last_error="", next_attempt_at=now)
        return "sent"
    if result.rate_limited:
        # A floor keeps a "retry_after": 0 answer from spinning the worker.
        seconds = result.retry_after if result.retry_after is not None else settings.NOTIFY_BACKOFF_SECONDS
        wait = timedelta(seconds=min(max(seconds, 0.25), settings.NOTIFY_RETRY_AFTER_MAX_SECONDS))
        # Being told to wait is not a failed attempt.
        _finish(notification, attempts=F("attempts") - 1, next_attempt_at=now + wait, last_error=result.error)
        return "rate_limited"
    if result.outcome == "retry" and notification.attempts < settings.NOTIFY_MAX_ATTEMPTS:
        _finish(notification, next_attempt_at=now + backoff(notification.attempts), last_error=result.error)
        return "retry"
    error = result.error
    if result.outcome == "retry":
        error = f"Gave up after {notification.attempts} attempts; last error: {error}"
    _finish(notification, status=NotificationStatus.FAILED, next_attempt_at=now, last_error=error)
    return "failed"


def _record_error(notification: Notification, exc: Exception) -> str:
    """An unexpected error counts as a failed attempt of this row (backoff, then failed)."""
    error = f"Delivery error: {exc.__class__.__name__}: {exc}"[:500]
    now = clock.now()
    try:
        if notification.attempts < settings.NOTIFY_MAX_ATTEMPTS:
            _finish(notification, next_attempt_at=now + backoff(notification.attempts), last_error=error)
            return "retry"
        _finish(notification, status=NotificationStatus.FAILED, next_attempt_at=now, last_error=error)
        return "failed"
    except Exception:
        logger.exception("Could not record the error of notification %s; its lease will run out", notification.pk)
        return "retry"


def _release(notification: Notification, *, until) -> None:
    """Give back a claimed row untried, due at `until` (the rate limit of its webhook)."""
    _finish(notification, attempts=F("attempts") - 1, next_attempt_at=until)


def notifications_deliver_due(
    *,
    batch_size: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    client: requests.Session | None = None,
) -> PassResult:
    """Deliver every notification that is due, batch after batch, until none is left or `should_stop()`.

    After a 429 the rest of that webhook's rows wait for its `retry_after`; other webhooks go on.
    The current item is always finished before stopping.
    """
    batch_size = batch_size or settings.NOTIFY_BATCH_SIZE
    result = PassResult()
    while not should_stop():
        rows, lease_until = notifications_claim(limit=batch_size)
        if not rows:
            break
        blocked: dict[str, object] = {}
        for index, row in enumerate(rows):
            late = clock.now() + timedelta(seconds=settings.DISCORD_TIMEOUT) >= lease_until
            if should_stop() or late:
                # Not tried: hand the rest back so this or another worker picks them up now.
                for rest in rows[index:]:
                    _release(rest, until=clock.now())
                return result
            if row.destination in blocked:
                _release(row, until=blocked[row.destination])
                continue
            try:
                outcome = notification_deliver(row, client=client)
            except Exception as exc:
                # One notification's trouble never stops the others (nor the worker).
                logger.exception("Delivering notification %s failed; it will be retried", row.pk)
                outcome = _record_error(row, exc)
                result.errors.append(f"{row.pk}: {exc.__class__.__name__}")
            if outcome == "sent":
                result.sent += 1
            elif outcome == "disabled":
                result.disabled += 1
            elif outcome == "failed":
                result.failed += 1
            else:
                result.retried += 1
                if outcome == "rate_limited":
                    row.refresh_from_db(fields=["next_attempt_at"])
                    blocked[row.destination] = row.next_attempt_at
    return result
