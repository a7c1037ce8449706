from django.db import models


class DeviceCategory(models.TextChoices):
    OPTICAL = "OPTICAL", "Optical"
    COMPUTE = "COMPUTE", "Compute"
    STORAGE = "STORAGE", "Storage"
    INFRA = "INFRA", "Infrastructure"


class DeviceStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    MAINTENANCE = "maintenance", "Maintenance"
    UNAVAILABLE = "unavailable", "Unavailable"
    RETIRED = "retired", "Retired"
    SPARE = "spare", "Spare"
    PLANNED = "planned", "Planned"


class HistoryAction(models.TextChoices):
    CREATED = "created", "Created"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"
    TAG_ADDED = "tag_added", "Tag added"
    TAG_REMOVED = "tag_removed", "Tag removed"
    ATTACHMENT_ADDED = "attachment_added", "Attachment added"
    ATTACHMENT_REMOVED = "attachment_removed", "Attachment removed"


class PduScheme(models.TextChoices):
    HTTPS = "https", "HTTPS"
    HTTP = "http", "HTTP (unencrypted)"


class OutletMode(models.TextChoices):
    ALWAYS_ON = "always_on", "Always on"
    BOOKING = "booking", "Follows bookings"
    MANUAL = "manual", "Manual"


class PowerState(models.TextChoices):
    ON = "on", "On"
    OFF = "off", "Off"
    UNKNOWN = "unknown", "Unknown"


class PowerAction(models.TextChoices):
    ON = "on", "Switch on"
    OFF = "off", "Switch off"
    CYCLE = "cycle", "Power-cycle"
