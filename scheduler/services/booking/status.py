"""The one place a booking's status changes, and the soft-conflict flag of DESIGN §4.5."""

from core import clock
from core.exceptions import RuleConflict
from core.services.audit import audit_log
from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus
from scheduler.models import Booking

S = BookingStatus


def set_status(booking: Booking, new: str, *, actor=None, note: str | None = None, now=None, action: str,
                data: dict | None = None) -> None:
    """The only place a booking's status changes; refuses anything ALLOWED_TRANSITIONS does not list."""
    old = booking.status
    if not rules.transition_allowed(old, new):
        raise RuleConflict(
            f"This booking is {old}; it cannot become {new}.",
            conflicts=[{"item": 0, "device": booking.device_id, "booking": booking.pk, "reason": "status",
                        "message": f"The booking is {old}."}],
        )
    booking.status = new
    fields = ["status", "updated_at"]
    if new in (S.CONFIRMED, S.REJECTED):
        booking.decided_by = actor if getattr(actor, "pk", None) else None
        booking.decided_at = now or clock.now()
        fields += ["decided_by", "decided_at"]
    if note is not None:
        booking.decision_note = note
        fields.append("decision_note")
    booking.save(update_fields=fields)
    audit_log(actor=actor, action=action, target=booking, data={"from": old, "to": new, **(data or {})})


def flag_neighbours(new_bookings: list[Booking], others_of: dict[int, list[Booking]], actor) -> None:
    """Overlapping pending requests of other users become conflicting (DESIGN §4.5)."""
    seen = set()
    for booking in new_bookings:
        for other in others_of.get(booking.pk, ()):
            if other.status == S.PENDING and other.pk not in seen:
                seen.add(other.pk)
                set_status(other, S.CONFLICTING, actor=actor, action="scheduler.booking.reevaluated",
                            data={"cause": "overlap", "booking": booking.pk})
