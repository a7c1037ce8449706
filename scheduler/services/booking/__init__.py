"""Every booking behaviour, one module each: request, decide, cancel, extend and rebook,
collaborators, expiry and re-evaluation. Callers import from here.

Each public function is one transaction that locks the affected device rows in id order
(`services.locking.devices_lock`), re-reads what it decides on after the lock, writes the change,
an audit event per changed booking and sends the `core.signals` signal of the change. The shared
machinery is in `checks` (the rules applied to one requested window), `status` (the only place a
status changes) and `permissions` (who may act on a session). Each module's docstring keeps the
decisions DESIGN §4 leaves open that its behaviour takes.
"""

from scheduler.services.booking.cancel import booking_cancel, booking_cancel_for_maintenance, booking_group_cancel
from scheduler.services.booking.checks import MAX_ITEMS, ItemCheck, lab_zone, policy_limits
from scheduler.services.booking.collaborators import MAX_COLLABORATORS, booking_group_set_collaborators
from scheduler.services.booking.decide import (
    booking_approve,
    booking_device_retired,
    booking_group_approve,
    booking_group_reject,
    booking_reject,
    booking_reject_for_maintenance,
)
from scheduler.services.booking.expiry import AUTO_CONFIRMED_NOTE, booking_expire_due, booking_reevaluate_after
from scheduler.services.booking.extend import booking_extend, booking_group_extend, booking_group_rebook
from scheduler.services.booking.request import booking_request, booking_request_preview

__all__ = [
    "AUTO_CONFIRMED_NOTE",
    "MAX_COLLABORATORS",
    "MAX_ITEMS",
    "ItemCheck",
    "booking_approve",
    "booking_cancel",
    "booking_cancel_for_maintenance",
    "booking_device_retired",
    "booking_expire_due",
    "booking_extend",
    "booking_group_approve",
    "booking_group_cancel",
    "booking_group_extend",
    "booking_group_rebook",
    "booking_group_reject",
    "booking_group_set_collaborators",
    "booking_reevaluate_after",
    "booking_reject",
    "booking_reject_for_maintenance",
    "booking_request",
    "booking_request_preview",
    "lab_zone",
    "policy_limits",
]
