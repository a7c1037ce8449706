"""Delivering the outbox to a real HTTP server standing in for Discord."""

import json
from collections import Counter
from datetime import UTC, datetime, timedelta

from werkzeug import Request, Response

from core import clock
from core.choices import NotificationStatus
from core.discord import webhook_payload
from core.models import Notification
from core.services.notifications import (
    backoff,
    notification_retry,
    notifications_claim,
    notifications_deliver_due,
)

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def make(n=1, destination="admin", at=T0) -> list[Notification]:
    return Notification.objects.bulk_create(
        [
            Notification(
                event="test", destination=destination, payload=webhook_payload([f"message {i}"]),
                next_attempt_at=at, created_at=at,
            )
            for i in range(n)
        ]
    )


def contents(httpserver) -> list[str]:
    return [json.loads(request.data)["content"] for request, response in httpserver.log if response.status_code < 300]


def test_due_notifications_are_posted_and_marked_sent(db, webhooks):
    """The worker posts the stored payload as it is and marks the row sent."""
    webhooks.expect_request("/admin", method="POST").respond_with_data("", status=204)
    webhooks.expect_request("/booking", method="POST").respond_with_data("", status=204)
    admin, = make()
    booking, = make(destination="booking")
    with clock.frozen(T0 + timedelta(seconds=1)):
        result = notifications_deliver_due()
    assert result.sent == 2
    for row in (admin, booking):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.sent_at) == (NotificationStatus.SENT, 1, T0 + timedelta(seconds=1))
    request, _ = webhooks.log[0]
    assert json.loads(request.data) == admin.payload
    assert request.path == "/admin" and webhooks.log[1][0].path == "/booking"


def test_future_and_finished_rows_are_left_alone(db, webhooks):
    make(at=T0 + timedelta(minutes=5))
    done, = make()
    Notification.objects.filter(pk=done.pk).update(status=NotificationStatus.SENT)
    with clock.frozen(T0):
        assert notifications_deliver_due().handled == 0
    assert webhooks.log == []


def test_server_errors_are_retried_with_exponential_backoff(db, webhooks):
    """5xx answers are retried after 30 s, 60 s, 120 s …; after NOTIFY_MAX_ATTEMPTS the row is failed."""
    webhooks.expect_request("/admin").respond_with_data("down", status=503)
    row, = make()
    now = T0
    for attempt in range(1, 5):
        with clock.frozen(now):
            assert notifications_deliver_due().retried == 1
        row.refresh_from_db()
        assert row.status == NotificationStatus.PENDING and row.attempts == attempt
        assert row.next_attempt_at == now + timedelta(seconds=30 * 2 ** (attempt - 1))
        assert row.last_error.startswith("HTTP 503")
        with clock.frozen(row.next_attempt_at - timedelta(seconds=1)):
            assert notifications_deliver_due().handled == 0  # not due yet
        now = row.next_attempt_at
    with clock.frozen(now):
        assert notifications_deliver_due().failed == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and row.attempts == 5
    assert row.last_error.startswith("Gave up after 5 attempts; last error: HTTP 503")
    assert len(webhooks.log) == 5


def test_backoff_is_capped(settings):
    settings.NOTIFY_BACKOFF_SECONDS = 30
    settings.NOTIFY_BACKOFF_MAX_SECONDS = 3600
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 8, 50)] == [30, 60, 120, 3600, 3600]


def test_timeouts_are_retried(db, webhooks, settings, hanging_url):
    """A Discord that accepts the connection and never answers is a retry after the short timeout."""
    settings.DISCORD_ADMIN_WEBHOOK_URL = hanging_url
    settings.DISCORD_TIMEOUT = 0.2
    row, = make()
    with clock.frozen(T0):
        assert notifications_deliver_due().retried == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.PENDING and row.attempts == 1
    assert row.last_error.startswith("timeout after 0.2s")


def test_client_errors_fail_at_once(db, webhooks):
    """A 4xx other than 429 (deleted webhook, bad payload) will not get better: failed with the error."""
    webhooks.expect_request("/admin").respond_with_json({"message": "Unknown Webhook", "code": 10015}, status=404)
    row, = make()
    with clock.frozen(T0):
        assert notifications_deliver_due().failed == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.FAILED and row.attempts == 1
    assert "Unknown Webhook" in row.last_error


def test_rate_limit_retry_after_is_honoured(db, webhooks):
    """On 429 the row (and the rest of that webhook's batch) waits retry_after; it is not a failed attempt."""
    webhooks.expect_oneshot_request("/admin").respond_with_json({"retry_after": 2.5, "global": False}, status=429)
    webhooks.expect_request("/admin").respond_with_data("", status=204)
    webhooks.expect_request("/booking").respond_with_data("", status=204)
    first, second = make(2)
    other, = make(destination="booking")
    with clock.frozen(T0):
        result = notifications_deliver_due()
    assert (result.sent, result.retried) == (1, 1)  # the booking channel was not held up
    for row in (first, second):
        row.refresh_from_db()
        assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, T0 + timedelta(seconds=2.5))
    assert len([r for r, _ in webhooks.log if r.path == "/admin"]) == 1  # the second was not even tried
    with clock.frozen(T0 + timedelta(seconds=2)):
        assert notifications_deliver_due().handled == 0
    with clock.frozen(T0 + timedelta(seconds=2.5)):
        assert notifications_deliver_due().sent == 2
    assert Counter(contents(webhooks)) == Counter(["message 0", "message 0", "message 1"])


def test_rate_limit_header_is_honoured_without_a_json_body(db, webhooks):
    webhooks.expect_oneshot_request("/admin").respond_with_response(Response("", status=429, headers={"Retry-After": "4"}))
    row, = make()
    with clock.frozen(T0):
        notifications_deliver_due()
    row.refresh_from_db()
    assert row.next_attempt_at == T0 + timedelta(seconds=4)


def test_discord_down_for_a_while_then_back_delivers_everything_exactly_once(db, webhooks):
    """An outage loses nothing and duplicates nothing: after it, each message arrives exactly once."""
    state = {"down": True}

    def discord(request: Request) -> Response:
        if state["down"]:
            return Response("Service Unavailable", status=503)
        return Response("", status=204)

    webhooks.expect_request("/admin").respond_with_handler(discord)
    make(30)
    now = T0
    for _ in range(4):  # 4 passes while Discord is down
        with clock.frozen(now):
            assert notifications_deliver_due().retried == 30
        now += timedelta(hours=1)
    state["down"] = False
    with clock.frozen(now):
        assert notifications_deliver_due().sent == 30
        assert notifications_deliver_due().handled == 0
    assert sorted(contents(webhooks)) == sorted(f"message {i}" for i in range(30))
    assert Notification.objects.filter(status=NotificationStatus.SENT).count() == 30


def test_a_crashed_workers_claim_is_retried_after_its_lease(db, webhooks, settings):
    """Claimed rows are invisible to other workers until the lease ends, then someone else sends them."""
    webhooks.expect_request("/admin").respond_with_data("", status=204)
    make(3)
    with clock.frozen(T0):
        rows, lease_until = notifications_claim(limit=10)  # ...and the worker dies here
        assert len(rows) == 3
        assert notifications_deliver_due().handled == 0
    with clock.frozen(lease_until - timedelta(seconds=1)):
        assert notifications_deliver_due().handled == 0
    with clock.frozen(lease_until):
        assert notifications_deliver_due().sent == 3
    assert list(Notification.objects.values_list("attempts", flat=True)) == [2, 2, 2]


def test_a_late_outcome_does_not_overwrite_another_workers(db, webhooks):
    """A worker whose lease ran out cannot mark a row another worker has since claimed."""
    from core.services.notifications import notification_deliver

    webhooks.expect_request("/admin").respond_with_data("", status=204)
    make()
    with clock.frozen(T0):
        (stale,), lease_until = notifications_claim(limit=1)
    with clock.frozen(lease_until):
        (fresh,), _ = notifications_claim(limit=1)
        notification_deliver(stale)
    fresh.refresh_from_db()
    assert fresh.status == "pending" and fresh.attempts == 2


def test_empty_webhook_url_is_not_delivered(db, webhooks, settings):
    """Rows whose webhook was emptied after recording are marked disabled, never posted."""
    settings.DISCORD_ADMIN_WEBHOOK_URL = ""
    row, = make()
    with clock.frozen(T0):
        assert notifications_deliver_due().disabled == 1
    row.refresh_from_db()
    assert row.status == NotificationStatus.DISABLED
    assert webhooks.log == []


def test_retry_puts_a_failed_notification_back_in_the_queue(db):
    row, = make()
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.FAILED, attempts=10, last_error="HTTP 404")
    with clock.frozen(T0 + timedelta(days=1)):
        assert notification_retry(notification=row) is True
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error, row.next_attempt_at) == ("pending", 0, "", T0 + timedelta(days=1))
    Notification.objects.filter(pk=row.pk).update(status=NotificationStatus.SENT)
    assert notification_retry(notification=row) is False


def test_admin_lists_notifications_and_retries_failed_ones(db, admin_client):
    """The outbox changelist shows status, event and error; the retry action requeues failed rows."""
    failed, sent = make(2)
    Notification.objects.filter(pk=failed.pk).update(status="failed", last_error="HTTP 404: Unknown Webhook")
    Notification.objects.filter(pk=sent.pk).update(status="sent")
    page = admin_client.get("/admin/core/notification/?status__exact=failed")
    assert page.status_code == 200
    assert b"HTTP 404: Unknown Webhook" in page.content
    assert admin_client.get(f"/admin/core/notification/{failed.pk}/change/").status_code == 200
    response = admin_client.post(
        "/admin/core/notification/", {"action": "retry", "_selected_action": [failed.pk, sent.pk]}, follow=True
    )
    assert response.status_code == 200
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == ("pending", "sent")
    from core.models import AuditEvent

    assert AuditEvent.objects.filter(action="core.notification.retried", target_id=str(failed.pk)).exists()


def test_worker_pass_stops_when_asked(db, webhooks):
    """should_stop is checked before each item: the current one finishes, the rest go back untried."""
    webhooks.expect_request("/admin").respond_with_data("", status=204)
    make(5)
    def stop_after_two():
        return len(webhooks.log) >= 2

    with clock.frozen(T0):
        result = notifications_deliver_due(should_stop=stop_after_two)
    assert result.sent == 2
    assert Notification.objects.filter(status="pending", attempts=0, next_attempt_at=T0).count() == 3
