"""Users, API tokens, the audit log and the notification outbox."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models

from core import clock
from core.choices import NotificationDestination, NotificationStatus

discord_id_validator = RegexValidator(
    r"^[0-9]{17,20}$", "A Discord id is the 17–20 digit number shown by 'Copy User ID' in Discord."
)


class User(AbstractUser):
    """A person who uses the lab: a member, a lab manager or an administrator."""

    email = models.EmailField("email address", blank=True)
    discord_id = models.CharField(
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[discord_id_validator],
        help_text="Your Discord user id (17–20 digits), so that decisions can mention you.",
    )
    calendar_feed_key = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Secret part of the personal calendar feed URL.",
    )

    class Meta(AbstractUser.Meta):
        ordering = ["username"]
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("username"),
                name="%(app_label)s_%(class)s_unique_username_ci",
                violation_error_message="A user with this username already exists (usernames are unique in any case).",
            ),
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~models.Q(email=""),
                name="%(app_label)s_%(class)s_unique_email",
                violation_error_message="A user with this email address already exists.",
            ),
        ]

    def save(self, *args, **kwargs):
        if self.discord_id == "":
            self.discord_id = None
        super().save(*args, **kwargs)


class ApiToken(models.Model):
    """A named API key of a user. Only the SHA-256 digest of the key is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False, help_text="First characters of the key, to recognise it.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class AuditEvent(models.Model):
    """One state change: who did what to which object, written in the change's transaction."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=100, help_text="Dotted name, e.g. scheduler.booking.approved.")
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("export_auditevent", "Can export the audit log as CSV")]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="core_audit_target_idx"),
            models.Index(fields=["action", "created_at"], name="core_audit_action_idx"),
        ]

    def __str__(self):
        return f"{self.action} {self.target_repr}".strip()


class Notification(models.Model):
    """One Discord message in the outbox, written in the transaction of the change it announces."""

    event = models.CharField(max_length=50, help_text="Signal that produced it, e.g. booking_requested.")
    destination = models.CharField(max_length=10, choices=NotificationDestination.choices)
    payload = models.JSONField(help_text="The webhook JSON exactly as it is posted to Discord.")
    status = models.CharField(max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(
        default=clock.now, help_text="When a worker may (re)try it; while a worker holds it, the end of its lease."
    )
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The worker's claim query: pending rows that are due, oldest first.
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=models.Q(status="pending"),
                name="core_notification_due_idx",
            ),
            models.Index(fields=["status", "created_at"], name="core_notification_status_idx"),
        ]

    def __str__(self):
        return f"{self.event} → {self.destination} ({self.status})"
