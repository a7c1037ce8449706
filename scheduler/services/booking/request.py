"""Requests: a new session of one or more bookings, all or nothing, and its preview for the cart."""

from django.contrib.auth import get_user_model
from django.db import transaction

from core import clock, statements
from core.exceptions import RuleConflict
from core.services.audit import audit_log_many
from scheduler import signals
from scheduler.models import Booking, BookingGroup, BookingPolicy
from scheduler.selectors.insight.substitutes import conflicts_with_help
from scheduler.services import locking
from scheduler.services.booking.checks import (
    ItemCheck,
    Verdict,
    World,
    evaluate,
    fresh_status,
    lab_zone,
    raise_if_refused,
)
from scheduler.services.booking.collaborators import collaborators_known, resolve_collaborators
from scheduler.services.booking.status import flag_neighbours
from scheduler.services.booking.units import UnitPlanner, units_guarded


def create_rows(*, owner, actor, verdicts: list[Verdict], world: World, collaborators, message: str):
    """Write the session and its bookings (each with its device, type and group loaded, and a unit
    of its device), also kept as `group.created_bookings` in item order."""
    group = statements.insert([BookingGroup(owner=owner, message=message)])[0]
    collaborators = list(collaborators)
    if collaborators:
        through = BookingGroup.collaborators.through
        through.objects.bulk_create([through(bookinggroup_id=group.pk, user_id=user.pk) for user in collaborators])
    rows = [Booking(group=group, device=verdict.device, start=verdict.start, end=verdict.end,
                    status=fresh_status(verdict.device, verdict.others)) for verdict in verdicts]
    planner = UnitPlanner(world.bookings, actor=actor)
    for row, verdict in zip(rows, verdicts, strict=True):
        planner.place(row, verdict.device, item=verdict.item)
    with units_guarded(world.devices.values()):
        bookings = statements.insert(rows)
    others_of = {booking.pk: verdict.others for booking, verdict in zip(bookings, verdicts, strict=True)}
    group.created_bookings = bookings
    return group, bookings, others_of


def booking_request(*, requester, items: list[dict], collaborators=(), message: str = "") -> BookingGroup:
    """Create a session of one or more bookings, all or nothing (DESIGN §4.1-§4.8).

    The group comes back with `group.created_bookings`: the new bookings in item order, each with
    its device (and type) and group (and owner) loaded, so callers can answer without re-reading.
    """
    tz = lab_zone()
    message = (message or "").strip()
    verdicts: list[Verdict] = []
    try:
        with transaction.atomic():
            people = resolve_collaborators(requester, collaborators)
            now = clock.now()
            policy = BookingPolicy.load()
            verdicts, world = evaluate(owner=requester, raw_items=items, now=now, policy=policy, tz=tz, lock=True)
            raise_if_refused(verdicts)
            locking.race_window()
            group, bookings, others_of = create_rows(owner=requester, actor=requester, verdicts=verdicts,
                                                      world=world, collaborators=people, message=message)
            audit_log_many(actor=requester, action="scheduler.booking.requested",
                           entries=[(booking, {"group": group.pk, "status": booking.status}) for booking in bookings])
            flag_neighbours(bookings, others_of, requester)
            with collaborators_known(group, people):
                signals.booking_requested.send(sender=BookingGroup, group=group, bookings=bookings, actor=requester)
    except RuleConflict as refusal:
        # After the rollback, so the device lock is not held while substitutes are looked up.
        conflicts_with_help(refusal.conflicts, {v.item: {"device": v.device_id, "start": v.start, "end": v.end} for v in verdicts})
        raise
    return group


def booking_request_preview(*, requester, items: list[dict]) -> list[ItemCheck]:
    """What booking_request would say about each item, without writing or locking anything."""
    tz = lab_zone()
    verdicts, _ = evaluate(owner=requester, raw_items=items, now=clock.now(), policy=BookingPolicy.load(), tz=tz,
                            lock=False)
    owner_ids = {b.group.owner_id for v in verdicts if not v.code for b in v.others}
    usernames = dict(get_user_model().objects.filter(pk__in=owner_ids).values_list("pk", "username")) if owner_ids else {}
    checks = []
    for v in verdicts:
        if v.code:
            outcome, reason = "refused", v.message
        elif v.others:
            holders = sorted({usernames[b.group.owner_id] for b in v.others})
            outcome = "conflicting"
            reason = f"Shares {v.device.name} with {', '.join(holders)}; a lab manager will decide."
        else:
            outcome, reason = "free", ""
        checks.append(ItemCheck(item=v.item, device=v.device, start=v.start, end=v.end, outcome=outcome,
                                reason=reason, code=v.code))
    return checks
