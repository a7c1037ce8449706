from django.db import models


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Recorded while the destination's webhook URL was empty: kept for the record, never delivered.
    DISABLED = "disabled", "Disabled (no webhook)"


class NotificationDestination:
    """Channels any app may post to. An app may name its own channel too: core delivers a channel's rows
    to the webhook in the setting DISCORD_<CHANNEL>_WEBHOOK_URL."""

    ADMIN = "admin"  # the lab managers' channel (DISCORD_ADMIN_WEBHOOK_URL)
