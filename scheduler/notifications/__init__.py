"""The scheduler's Discord notifications: the wording (`messages`) and the receivers that hand core's
outbox a finished message for each booking signal (`receivers`, connected in SchedulerConfig.ready()).

Core keeps the transport and the safety: the outbox and its delivery (core.services.notifications),
escaping, mentions and length limits (core.discord).
"""

from core.choices import NotificationDestination

# Channels: core delivers a channel's rows to the setting DISCORD_<CHANNEL>_WEBHOOK_URL.
BOOKING_CHANNEL = "booking"  # DISCORD_BOOKING_WEBHOOK_URL: new requests, rebooks, extensions
ADMIN_CHANNEL = NotificationDestination.ADMIN  # decisions, cancellations, maintenance, reminders, expiry
