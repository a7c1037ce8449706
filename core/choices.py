from django.db import models


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # Recorded while the destination's webhook URL was empty: kept for the record, never delivered.
    DISABLED = "disabled", "Disabled (no webhook)"

