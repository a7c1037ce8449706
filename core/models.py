"""Users, API tokens, the audit log and the notification outbox."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

from core import clock
from core.choices import NotificationStatus
from core.usernames import username_key

discord_id_validator = RegexValidator(
    r"^[0-9]{17,20}$", "A Discord id is the 17–20 digit number shown by 'Copy User ID' in Discord."
)


class LabUserManager(UserManager):
    def get_by_natural_key(self, username):
        """The account a typed username names, by its username key: signing in as "Alice", "ALICE " or
        full-width "ａｌｉｃｅ" is signing in as alice, as those are one name when accounts are made (and
        one account for the sign-in locks, core/lockout.py). Every door asks this: the sign-in and admin
        pages, the API token door (through ModelBackend), and createsuperuser's "already taken"."""
        return self.get(username_key=username_key(username))


class User(AbstractUser):
    """A person who uses the lab: a member, a lab manager or an administrator."""

    objects = LabUserManager()

    username_key = models.CharField(
        max_length=150, unique=True, editable=False,
        help_text="The username folded for comparison (NFKC + casefold), the same on every database.",
    )

    email = models.EmailField("email address", blank=True)
    discord_id = models.CharField(
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        validators=[discord_id_validator],
        help_text="Your Discord user id (17–20 digits), so that decisions can mention you.",
    )
    calendar_key_digest = models.CharField(
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="SHA-256 digest of the secret in the personal calendar feed URL (the key itself is shown once).",
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

    def clean(self):
        super().clean()
        key = username_key(self.username)
        if key and User.objects.exclude(pk=self.pk).filter(username_key=key).exists():
            raise ValidationError({"username": "This username is already taken (usernames are compared ignoring case and "
                                               "Unicode variants); pick another one."})

    def save(self, *args, **kwargs):
        if self.discord_id == "":
            self.discord_id = None
        self.username_key = username_key(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_key"}
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
    action = models.CharField(max_length=100, help_text="Dotted name, e.g. inventory.device.updated.")
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

    event = models.CharField(max_length=50, help_text="What happened, named by the app that recorded it.")
    destination = models.CharField(
        max_length=10, help_text="Channel; its webhook is the setting DISCORD_<CHANNEL>_WEBHOOK_URL (e.g. admin)."
    )
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
