"""Who may see, change and decide a session, and the locked reads every transition starts from."""

from core.exceptions import NotAllowed, NotFound
from core.roles import is_lab_manager
from scheduler.models import Booking, BookingGroup
from scheduler.services import locking


def is_participant(user, group: BookingGroup) -> bool:
    return group.owner_id == user.pk or group.collaborators.filter(pk=user.pk).exists()


def require_visible(actor, group: BookingGroup) -> bool:
    """Raise NotFound unless the actor may see the session; return whether the actor is a manager."""
    manager = is_lab_manager(actor)
    if not (manager or (actor and actor.is_authenticated and is_participant(actor, group))):
        raise NotFound("No such session.")
    return manager


def require_owner_or_manager(actor, group: BookingGroup, verb: str) -> None:
    manager = require_visible(actor, group)
    if not manager and group.owner_id != actor.pk:
        raise NotAllowed(f"Only the owner of this session or a lab manager can {verb} it.")


def require_manager(actor, group: BookingGroup | None = None) -> None:
    if group is not None and not is_lab_manager(actor):
        require_visible(actor, group)
    if not is_lab_manager(actor):
        raise NotAllowed("Only lab managers decide requests.")


def locked_booking(booking: Booking) -> Booking:
    locking.devices_lock([booking.device_id])
    try:
        return Booking.objects.select_related("group", "device__device_type").get(pk=booking.pk)
    except Booking.DoesNotExist as exc:
        raise NotFound("No such booking.") from exc


def group_locked(group: BookingGroup) -> tuple[BookingGroup, list[Booking]]:
    locking.devices_lock(group.bookings.values_list("device_id", flat=True))
    try:
        group = BookingGroup.objects.select_related("owner").get(pk=group.pk)
    except BookingGroup.DoesNotExist as exc:
        raise NotFound("No such session.") from exc
    return group, list(group.bookings.select_related("device__device_type", "group").order_by("start", "id"))
