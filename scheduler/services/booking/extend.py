"""Extending a booking or a session, and rebooking a session at a new start (DESIGN §4.10-§4.11).

Decisions written down here:
- Extending looks at the whole contiguous window for the maximum duration: a confirmed booking of
  the maximum length cannot be stretched by chaining extensions. The window is the run of the
  session's active bookings of that device that end where the next one starts (a booking and its
  extension pieces).
- Group extend moves every active booking whose end equals the session's latest end (the
  session's "last day" across all its devices); earlier bookings of the session stay as they are.
- Rebook copies the session's bookings that were not cancelled or rejected, keeping their
  wall-clock offsets from the first start (so 07:00-12:00 stays 07:00-12:00 across a DST change);
  only the owner rebooks, and the new session keeps the collaborators and the message.
"""

from collections import defaultdict
from datetime import datetime

from django.db import transaction

from core import clock, signals
from core.exceptions import ApplicationError, NotAllowed, RuleConflict
from core.services.audit import audit_log, audit_log_many
from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup, BookingPolicy
from scheduler.services import locking
from scheduler.services.booking.checks import (
    Verdict,
    World,
    check_item,
    evaluate,
    fresh_status,
    lab_zone,
    limit_check,
    normalise,
    policy_limits,
    raise_if_refused,
    world_load,
)
from scheduler.services.booking.collaborators import collaborators_known
from scheduler.services.booking.permissions import group_locked, require_visible
from scheduler.services.booking.request import create_rows
from scheduler.services.booking.status import flag_neighbours, set_status

S = BookingStatus


def _stretch_starts(bookings: list[Booking]) -> dict[int, datetime]:
    """Where the stretch of each booking starts: the earliest start of the active bookings of its
    session on its device that run back-to-back into it (an extension piece and what it extends)."""
    rows = defaultdict(dict)
    for group_id, device_id, start, end in Booking.objects.filter(
        group_id__in={b.group_id for b in bookings}, device_id__in={b.device_id for b in bookings},
        status__in=ACTIVE_STATUSES,
    ).values_list("group_id", "device_id", "start", "end"):
        rows[(group_id, device_id)][end] = start
    starts = {}
    for booking in bookings:
        ends = rows[(booking.group_id, booking.device_id)]
        start = booking.start
        while start in ends and ends[start] < start:
            start = ends[start]
        starts[booking.pk] = start
    return starts


def _extend_one(booking: Booking, *, actor, end: datetime, now, policy, tz, world: World, index: int,
                pending: list[Verdict], stretch_start: datetime | None = None) -> Verdict:
    """Check moving `booking`'s end to `end` (undecided) or adding [old end, end) (confirmed).

    `stretch_start` is where the run of back-to-back bookings ending in `booking` starts; the
    maximum duration holds for [stretch_start, end).
    """
    if booking.status not in ACTIVE_STATUSES:
        verdict = Verdict(item=index, device=booking.device, device_id=booking.device_id, start=booking.start, end=end)
        verdict.code, verdict.message = "validation", f"This booking is {booking.status}; only active bookings can be extended."
        return verdict
    if booking.end <= now:
        verdict = Verdict(item=index, device=booking.device, device_id=booking.device_id, start=booking.start, end=end)
        verdict.code, verdict.message = "validation", "This booking has ended; book a new slot instead."
        return verdict
    if end <= booking.end:
        verdict = Verdict(item=index, device=booking.device, device_id=booking.device_id, start=booking.start, end=end)
        verdict.code = "validation"
        verdict.message = f"The new end must be after the current end ({booking.end.astimezone(tz):%H:%M} on {booking.end.astimezone(tz).day} {booking.end.astimezone(tz):%b})."
        return verdict
    device = world.devices.get(booking.device_id)
    limits = policy_limits(policy)
    owner = booking.group.owner
    stretch = (min(stretch_start or booking.start, booking.start), end)
    if booking.status == S.CONFIRMED:
        verdict = Verdict(item=index, device=device, device_id=booking.device_id, start=booking.end, end=end)
        check_item(verdict, owner=owner, world=world, now=now, limits=limits, tz=tz, new_items=pending,
                    whole_window=stretch)
    else:
        verdict = Verdict(item=index, device=device, device_id=booking.device_id, start=booking.start, end=end)
        check_item(verdict, owner=owner, world=world, now=now, limits=limits, tz=tz, new_items=pending,
                    exclude=frozenset({booking.pk}), check_past=False,
                    whole_window=stretch if stretch[0] < booking.start else None)
    return verdict


def _extend_apply(pairs: list[tuple[Booking, Verdict]], *, actor) -> list[Booking]:
    changed = []
    for booking, verdict in pairs:
        if booking.status == S.CONFIRMED:
            added = Booking.objects.create(group=booking.group, device=booking.device, start=verdict.start,
                                           end=verdict.end, status=fresh_status(booking.device, verdict.others))
            audit_log(actor=actor, action="scheduler.booking.extended", target=added,
                      data={"extends": booking.pk, "status": added.status, "end": verdict.end.isoformat()})
            flag_neighbours([added], {added.pk: verdict.others}, actor)
            changed.append(added)
        else:
            old_end = booking.end
            booking.end = verdict.end
            booking.save(update_fields=["end", "updated_at"])
            audit_log(actor=actor, action="scheduler.booking.extended", target=booking,
                      data={"from_end": old_end.isoformat(), "end": verdict.end.isoformat()})
            status = fresh_status(booking.device, verdict.others)
            if status != booking.status and rules.transition_allowed(booking.status, status):
                # Only a move into conflict is possible here: the old overlaps are still inside the window.
                set_status(booking, status, actor=actor, action="scheduler.booking.reevaluated", data={"cause": "extended"})
            flag_neighbours([booking], {booking.pk: verdict.others}, actor)
            changed.append(booking)
    return changed


def _extend_many(bookings: list[Booking], *, actor, end: datetime, group: BookingGroup) -> list[Booking]:
    tz = lab_zone()
    end = normalise(end, tz, "end")
    now = clock.now()
    policy = BookingPolicy.load()
    span = [(min(b.start for b in bookings), max(end, max(b.end for b in bookings)))]
    world = world_load([b.device_id for b in bookings], span, lock=True)
    bookings = list(Booking.objects.filter(pk__in=[b.pk for b in bookings]).select_related("group__owner", "device__device_type"))
    pending: list[Verdict] = []
    pairs = []
    stretch_starts = _stretch_starts(bookings)
    for index, booking in enumerate(bookings):
        verdict = _extend_one(booking, actor=actor, end=end, now=now, policy=policy, tz=tz, world=world, index=index,
                              pending=pending, stretch_start=stretch_starts.get(booking.pk))
        verdict.device = verdict.device or booking.device
        if booking.status == S.CONFIRMED and not verdict.code:
            pending.append(verdict)
        pairs.append((booking, verdict))
    verdicts = [v for _, v in pairs]
    added = [v for b, v in pairs if b.status == S.CONFIRMED and not v.code]
    if added:
        limit_check(added, owner=group.owner, policy=policy, now=now)
    for booking, verdict in pairs:
        verdict.booking = booking.pk
    raise_if_refused(verdicts, "extension")
    locking.race_window()
    changed = _extend_apply(pairs, actor=actor)
    signals.booking_extended.send(sender=BookingGroup, group=group, bookings=changed, actor=actor)
    return changed


def booking_extend(*, booking: Booking, actor, end: datetime) -> Booking:
    """Move the end of an undecided booking, or add [end, new end) as a new request after a confirmed one.

    Returns the booking that now ends at `end` (the same row, or the new one for a confirmed booking).
    """
    with transaction.atomic():
        group = BookingGroup.objects.get(pk=booking.group_id)
        require_visible(actor, group)
        changed = _extend_many([booking], actor=actor, end=end, group=group)
    return changed[0]


def booking_group_extend(*, group: BookingGroup, actor, end: datetime) -> BookingGroup:
    """Extend every active booking whose end is the session's latest end to `end` (see module docstring)."""
    with transaction.atomic():
        group, bookings = group_locked(group)
        require_visible(actor, group)
        now = clock.now()
        active = [b for b in bookings if b.status in ACTIVE_STATUSES and b.end > now]
        if not active:
            raise RuleConflict("This session has no active booking left to extend.", conflicts=[])
        latest = max(b.end for b in active)
        _extend_many([b for b in active if b.end == latest], actor=actor, end=end, group=group)
    return group


def booking_group_rebook(*, group: BookingGroup, actor, start: datetime) -> BookingGroup:
    """Copy the session to a new start as a new session (same devices, wall-clock offsets, durations)."""
    tz = lab_zone()
    start = normalise(start, tz, "start")
    with transaction.atomic():
        group, bookings = group_locked(group)
        require_visible(actor, group)
        if group.owner_id != actor.pk:
            raise NotAllowed("Only the owner of this session can rebook it.")
        source = [b for b in bookings if b.status not in (S.CANCELLED, S.REJECTED)]
        if not source:
            raise RuleConflict("Every booking of this session was cancelled or rejected; there is nothing to copy.",
                               conflicts=[])
        base = min(b.start for b in source).astimezone(tz).replace(tzinfo=None)
        new_base = start.astimezone(tz).replace(tzinfo=None)
        items = []
        try:
            for booking in source:
                local_start = booking.start.astimezone(tz).replace(tzinfo=None)
                local_end = booking.end.astimezone(tz).replace(tzinfo=None)
                items.append({"device": booking.device_id, "start": new_base + (local_start - base),
                              "end": new_base + (local_end - base)})
        except OverflowError as exc:
            raise ApplicationError("The copy would end after the year 9999; pick an earlier start.",
                                   extra={"start": ["The copy would end after the year 9999."]}) from exc
        now = clock.now()
        policy = BookingPolicy.load()
        try:
            verdicts = evaluate(owner=group.owner, raw_items=items, now=now, policy=policy, tz=tz, lock=True)
        except ApplicationError as exc:
            raise RuleConflict(f"The session cannot be copied to that start: {exc.message}", conflicts=[]) from exc
        raise_if_refused(verdicts, "copy")
        locking.race_window()
        people = list(group.collaborators.all())
        new_group, new_bookings, others_of = create_rows(
            owner=group.owner, actor=actor, verdicts=verdicts, collaborators=people, message=group.message,
        )
        audit_log_many(actor=actor, action="scheduler.booking.requested", entries=[
            (booking, {"group": new_group.pk, "status": booking.status, "rebooked_from": group.pk})
            for booking in new_bookings
        ])
        audit_log(actor=actor, action="scheduler.group.rebooked", target=new_group, data={"source": group.pk})
        flag_neighbours(new_bookings, others_of, actor)
        with collaborators_known(new_group, people):
            signals.booking_rebooked.send(sender=BookingGroup, group=new_group, source=group, bookings=new_bookings,
                                          actor=actor)
    return new_group
