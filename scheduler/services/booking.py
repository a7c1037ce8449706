"""Every booking behaviour: request, decide, cancel, extend, rebook, collaborators, expiry.

Each public function is one transaction that locks the affected device rows in id order
(`services.locking.devices_lock`), re-reads what it decides on after the lock, writes the change,
an audit event per changed booking and sends the `core.signals` signal of the change.

Decisions written down here (DESIGN §4 leaves them open):
- "Own" bookings are the bookings of the sessions a user owns. Collaborators do not hold a
  session's bookings: the own-overlap rule and the per-user limit look at owners only, and a
  booking of another owner counts as "another user's" even for its collaborators.
- The per-user limit counts active bookings that have not ended yet (confirmed bookings stay
  confirmed after they end and would otherwise block their owner forever).
- A conflicting request whose overlaps go away becomes pending, or confirmed at once when its
  device type needs no approval (the same status a fresh request would get).
- Extending looks at the whole contiguous window for the maximum duration: a confirmed booking of
  the maximum length cannot be stretched by chaining extensions. The window is the run of the
  session's active bookings of that device that end where the next one starts (a booking and its
  extension pieces).
- Group extend moves every active booking whose end equals the session's latest end (the
  session's "last day" across all its devices); earlier bookings of the session stay as they are.
- Rebook copies the session's bookings that were not cancelled or rejected, keeping their
  wall-clock offsets from the first start (so 07:00-12:00 stays 07:00-12:00 across a DST change);
  only the owner rebooks, and the new session keeps the collaborators and the message.
- Group approve is all or nothing; bulk actions in the admin decide booking by booking.
- A request whose end has passed is not approved (single approve: 409); group approve skips such
  requests and leaves them to expiry.
"""

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from core import clock, signals
from core.exceptions import ApplicationError, NotAllowed, NotFound, RuleConflict
from core.roles import is_lab_manager
from core.services.audit import audit_log, audit_log_many
from inventory.models import Device
from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES, UNDECIDED_STATUSES
from scheduler.models import Booking, BookingGroup, BookingPolicy, MaintenanceWindow
from scheduler.services import locking

MAX_ITEMS = 200
AUTO_CONFIRMED_NOTE = ("Confirmed automatically: the request no longer overlaps anyone else's booking and "
                       "this device needs no approval.")
MAX_COLLABORATORS = 50

S = BookingStatus


def lab_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def policy_limits(policy: BookingPolicy) -> rules.Limits:
    return rules.Limits(
        slot_minutes=policy.slot_minutes,
        max_duration=policy.max_duration,
        horizon=policy.horizon,
        past_grace=policy.past_grace,
    )


@dataclass
class ItemCheck:
    """The verdict on one requested item, for the cart page (no writes)."""

    item: int
    device: Device | None
    start: datetime
    end: datetime
    outcome: str  # "free" | "conflicting" | "refused"
    reason: str = ""  # readable text; the refusal or the sharing it would mean
    code: str = ""  # validation | capacity | maintenance | unavailable | own_overlap | limit


@dataclass
class _Verdict:
    item: int
    device: Device | None
    device_id: int
    start: datetime
    end: datetime
    code: str = ""
    message: str = ""
    others: list[Booking] = field(default_factory=list)  # other owners' overlapping active bookings
    booking: int | None = None  # the booking an extension starts from

    def conflict(self) -> dict:
        entry = {
            "item": self.item,
            "device": self.device_id,
            "device_name": self.device.name if self.device else "",
            "reason": self.code,
            "message": self.message,
        }
        if self.booking is not None:
            entry["booking"] = self.booking
        return entry


class _World:
    """What the checks read, under the lock: devices, active bookings and maintenance windows."""

    def __init__(self, *, devices: dict[int, Device], start: datetime, end: datetime):
        self.devices = devices
        ids = list(devices)
        self.bookings: dict[int, list[Booking]] = defaultdict(list)
        self.windows: dict[int, list[MaintenanceWindow]] = defaultdict(list)
        active = Booking.objects.filter(
            device_id__in=ids, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start
        ).select_related("group")  # the checks need owner ids only; joining the users costs more than the rest
        for booking in active:
            booking.device = devices[booking.device_id]  # the row already read (and locked): no query later
            self.bookings[booking.device_id].append(booking)
        for window in MaintenanceWindow.objects.filter(device_id__in=ids, start__lt=end, end__gt=start):
            self.windows[window.device_id].append(window)


def _world_load(device_ids, windows: list[tuple[datetime, datetime]], *, lock: bool = True) -> _World:
    if lock:
        devices = locking.devices_lock(device_ids)
    else:
        devices = {d.pk: d for d in Device.objects.select_related("device_type").filter(pk__in=set(device_ids))}
    start = min(s for s, _ in windows)
    end = max(e for _, e in windows)
    return _World(devices=devices, start=start, end=end)


def _normalise(value: datetime, tz: ZoneInfo, label: str) -> datetime:
    if not isinstance(value, datetime):
        raise ApplicationError(f"The {label} must be a date and time.")
    try:
        value = rules.read_in_zone(value, tz)
        value.astimezone(UTC)  # stored in UTC: refuse what cannot be
    except ValueError as exc:
        raise ApplicationError(str(exc)) from exc
    except OverflowError as exc:
        raise ApplicationError(f"The {label} must lie between the years 1 and 9999.") from exc
    return value


def _check_item(verdict: _Verdict, *, owner, world: _World, now: datetime, limits: rules.Limits, tz: ZoneInfo,
                new_items: list[_Verdict], exclude: frozenset[int] = frozenset(), check_past: bool = True,
                whole_window: tuple[datetime, datetime] | None = None) -> _Verdict:
    """Fill in `verdict.code`/`message` (empty when the item may be booked) and its soft conflicts."""
    device, start, end = verdict.device, verdict.start, verdict.end
    name = device.name if device else f"Device {verdict.device_id}"

    def refuse(code, message):
        verdict.code, verdict.message = code, message
        return verdict

    problems = rules.window_problems(start, end, now=now, limits=limits, tz=tz, check_past=check_past)
    if whole_window and whole_window[1] - whole_window[0] > limits.max_duration:
        problems.append(
            f"A booking may last at most {rules.describe_duration(limits.max_duration)} in one stretch; "
            "this extension would make it longer."
        )
    if problems:
        return refuse("validation", f"{name}: " + " ".join(problems))
    if device is None:
        return refuse("unavailable", f"Device {verdict.device_id} does not exist; pick another device.")
    if not device.device_type.is_schedulable:
        return refuse("unavailable", f"{name} is a {device.device_type.name}, which cannot be booked; pick another device.")
    if not device.is_bookable:
        return refuse("unavailable", f"{name} cannot be booked while its status is {device.get_status_display().lower()}; pick another device.")
    for window in world.windows.get(device.pk, ()):
        if rules.overlaps(window.start, window.end, start, end):
            return refuse(
                "maintenance",
                f"{name} is under maintenance {rules.describe_window(window.start, window.end, tz)}; pick another slot or device.",
            )
    existing = [b for b in world.bookings.get(device.pk, ()) if b.pk not in exclude]
    fresh = [v for v in new_items if v.device_id == device.pk and v is not verdict and not v.code]
    for booking in existing:
        if booking.group.owner_id == owner.pk and rules.overlaps(booking.start, booking.end, start, end):
            return refuse(
                "own_overlap",
                f"You already hold {name} {rules.describe_window(booking.start, booking.end, tz)}; "
                "change the times or extend that booking instead.",
            )
    for other in fresh:
        if rules.overlaps(other.start, other.end, start, end):
            return refuse(
                "own_overlap",
                f"{name} appears twice in this request at overlapping times "
                f"({rules.describe_window(start, end, tz)}); keep one of them.",
            )
    windows = [(b.start, b.end) for b in existing] + [(v.start, v.end) for v in fresh]
    capacity = device.effective_capacity
    if rules.depth_with(start, end, windows) > capacity:
        return refuse(
            "capacity",
            f"{name} is fully booked (at most {capacity} at a time) at some point "
            f"{rules.describe_window(start, end, tz)}; pick another slot or device.",
        )
    verdict.others = [
        b for b in existing if b.group.owner_id != owner.pk and rules.overlaps(b.start, b.end, start, end)
    ]
    return verdict


def _limit_check(verdicts: list[_Verdict], *, owner, policy: BookingPolicy, now: datetime, lock: bool = True) -> None:
    """Mark the items beyond the owner's allowance of active bookings (policy.max_active_bookings_per_user)."""
    limit = policy.max_active_bookings_per_user
    if limit is None:
        return
    if lock and locking.LOCKING_ENABLED:
        # Serialise the owner's concurrent requests on other devices too.
        list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))
    held = Booking.objects.filter(group__owner=owner, status__in=ACTIVE_STATUSES, end__gt=now).count()
    allowed = max(limit - held, 0)
    for verdict in [v for v in verdicts if not v.code][allowed:]:
        verdict.code = "limit"
        verdict.message = (
            f"You already hold {held} active booking{'' if held == 1 else 's'} and the lab allows {limit} at a time; "
            "cancel one or wait until one ends."
        )


def _evaluate(*, owner, raw_items, now, policy, tz, lock: bool) -> list[_Verdict]:
    if not raw_items:
        raise ApplicationError("Add at least one device and time window to the request.")
    if len(raw_items) > MAX_ITEMS:
        raise ApplicationError(f"A request may hold at most {MAX_ITEMS} bookings; split it into several sessions.")
    parsed = []
    for index, item in enumerate(raw_items):
        device = item.get("device")
        device_id = device.pk if isinstance(device, Device) else device
        if not isinstance(device_id, int):
            raise ApplicationError(f"Item {index}: name a device.")
        parsed.append((index, device_id, _normalise(item.get("start"), tz, "start"), _normalise(item.get("end"), tz, "end")))
    world = _world_load([p[1] for p in parsed], [(p[2], p[3]) for p in parsed], lock=lock)
    limits = policy_limits(policy)
    verdicts: list[_Verdict] = []
    for index, device_id, start, end in parsed:
        verdict = _Verdict(item=index, device=world.devices.get(device_id), device_id=device_id, start=start, end=end)
        _check_item(verdict, owner=owner, world=world, now=now, limits=limits, tz=tz, new_items=verdicts)
        verdicts.append(verdict)
    _limit_check(verdicts, owner=owner, policy=policy, now=now, lock=lock)
    return verdicts


def _raise_if_refused(verdicts: list[_Verdict], what: str = "request") -> None:
    refused = [v for v in verdicts if v.code]
    if refused:
        first = refused[0].message
        more = f" ({len(refused) - 1} more item{'s' if len(refused) > 2 else ''} refused.)" if len(refused) > 1 else ""
        raise RuleConflict(f"The {what} was not saved: {first}{more}", conflicts=[v.conflict() for v in refused])


def _fresh_status(device: Device, others: list) -> str:
    if others:
        return S.CONFLICTING
    return S.PENDING if device.device_type.requires_approval else S.CONFIRMED


def _set_status(booking: Booking, new: str, *, actor=None, note: str | None = None, now=None, action: str,
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


def _flag_neighbours(new_bookings: list[Booking], others_of: dict[int, list[Booking]], actor) -> None:
    """Overlapping pending requests of other users become conflicting (DESIGN §4.5)."""
    seen = set()
    for booking in new_bookings:
        for other in others_of.get(booking.pk, ()):
            if other.status == S.PENDING and other.pk not in seen:
                seen.add(other.pk)
                _set_status(other, S.CONFLICTING, actor=actor, action="scheduler.booking.reevaluated",
                            data={"cause": "overlap", "booking": booking.pk})


def _reevaluate(device: Device, windows: list[tuple[datetime, datetime]], actor, cause: str) -> list[Booking]:
    """Conflicting requests around `windows` that no longer overlap another owner's active booking
    become pending (or confirmed when the type needs no approval). The device must be locked."""
    if not windows:
        return []
    query = Q()
    for start, end in windows:
        query |= Q(start__lt=end, end__gt=start)
    candidates = list(Booking.objects.filter(query, device=device, status=S.CONFLICTING).select_related("group"))
    if not candidates:
        return []
    span_start = min(b.start for b in candidates)
    span_end = max(b.end for b in candidates)
    active = list(
        Booking.objects.filter(device=device, status__in=ACTIVE_STATUSES, start__lt=span_end, end__gt=span_start)
        .select_related("group")
    )
    changed = []
    for booking in candidates:
        still = any(
            other.pk != booking.pk
            and other.group.owner_id != booking.group.owner_id
            and rules.overlaps(other.start, other.end, booking.start, booking.end)
            for other in active
        )
        if still:
            continue
        target = S.PENDING
        if not device.device_type.requires_approval:
            confirmed = [(o.start, o.end) for o in active if o.status == S.CONFIRMED and o.pk != booking.pk]
            if rules.depth_with(booking.start, booking.end, confirmed) <= device.effective_capacity:
                target = S.CONFIRMED
        # Changed by the system, not by the actor whose change triggered it.
        note = AUTO_CONFIRMED_NOTE if target == S.CONFIRMED else None
        _set_status(booking, target, actor=None, note=note, action="scheduler.booking.reevaluated",
                    data={"cause": cause, "by": getattr(actor, "pk", None)})
        booking.status = target
        changed.append(booking)
    # A confirmation is news its owner must hear, like a manager's decision; going back to pending is not.
    confirmed_by_group: dict[int, list[Booking]] = defaultdict(list)
    for booking in changed:
        if booking.status == S.CONFIRMED:
            confirmed_by_group[booking.group_id].append(booking)
    for bookings in confirmed_by_group.values():
        signals.booking_decided.send(sender=BookingGroup, group=bookings[0].group, bookings=bookings,
                                     decision=S.CONFIRMED, actor=None, note=AUTO_CONFIRMED_NOTE)
    return changed


def _reevaluate_freed(bookings: list[Booking], actor, cause: str) -> None:
    """Re-evaluate, device by device, the conflicting neighbours of bookings that just left the active set."""
    by_device = defaultdict(list)
    for booking in bookings:
        by_device[booking.device_id].append(booking)
    for items in by_device.values():
        _reevaluate(items[0].device, [(b.start, b.end) for b in items], actor, cause)


def _resolve_collaborators(owner, usernames) -> list:
    User = get_user_model()
    names, seen = [], set()
    for raw in usernames or ():
        if not isinstance(raw, str):
            raise ApplicationError("Collaborators are usernames (text).")
        name = raw.strip()
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    if len(names) > MAX_COLLABORATORS:
        raise ApplicationError(f"A session may have at most {MAX_COLLABORATORS} collaborators.")
    if owner.username.lower() in seen:
        raise ApplicationError("You own this session; leave your own name out of the collaborators.",
                               extra={"collaborators": ["The owner cannot be a collaborator."]})
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    found: dict[str, object] = {}
    for user in User.objects.filter(query, is_active=True).order_by("pk"):
        found.setdefault(user.username.lower(), user)
    unknown = [name for name in names if name.lower() not in found]
    if unknown:
        label = "Unknown username" if len(unknown) == 1 else "Unknown usernames"
        raise ApplicationError(f"{label}: {', '.join(unknown)}. Check the spelling.",
                               extra={"collaborators": [f"{label}: {', '.join(unknown)}."], "unknown": unknown})
    return [found[name.lower()] for name in names]


def _is_participant(user, group: BookingGroup) -> bool:
    return group.owner_id == user.pk or group.collaborators.filter(pk=user.pk).exists()


def _require_visible(actor, group: BookingGroup) -> bool:
    """Raise NotFound unless the actor may see the session; return whether the actor is a manager."""
    manager = is_lab_manager(actor)
    if not (manager or (actor and actor.is_authenticated and _is_participant(actor, group))):
        raise NotFound("No such session.")
    return manager


def _require_owner_or_manager(actor, group: BookingGroup, verb: str) -> None:
    manager = _require_visible(actor, group)
    if not manager and group.owner_id != actor.pk:
        raise NotAllowed(f"Only the owner of this session or a lab manager can {verb} it.")


def _require_manager(actor, group: BookingGroup | None = None) -> None:
    if group is not None and not is_lab_manager(actor):
        _require_visible(actor, group)
    if not is_lab_manager(actor):
        raise NotAllowed("Only lab managers decide requests.")


def _create_rows(*, owner, actor, verdicts: list[_Verdict], collaborators, message: str):
    """Write the session and its bookings (each with its device, type and group loaded), also kept
    as `group.created_bookings` in item order."""
    group = BookingGroup.objects.create(owner=owner, message=message)
    collaborators = list(collaborators)
    if collaborators:
        through = BookingGroup.collaborators.through
        through.objects.bulk_create([through(bookinggroup_id=group.pk, user_id=user.pk) for user in collaborators])
    bookings = Booking.objects.bulk_create([
        Booking(group=group, device=verdict.device, start=verdict.start, end=verdict.end,
                status=_fresh_status(verdict.device, verdict.others))
        for verdict in verdicts
    ])
    others_of = {booking.pk: verdict.others for booking, verdict in zip(bookings, verdicts, strict=True)}
    group.created_bookings = bookings
    return group, bookings, others_of


@contextmanager
def _collaborators_known(group: BookingGroup, collaborators: list):
    """While the receivers of a signal run, `group.collaborators.all()` answers from `collaborators`
    without a query (as prefetch_related would); afterwards the group reads them again."""
    queryset = group.collaborators.all()
    queryset._result_cache = sorted(collaborators, key=lambda u: u.username)
    queryset._prefetch_done = True
    cache = group.__dict__.setdefault("_prefetched_objects_cache", {})
    cache["collaborators"] = queryset
    try:
        yield
    finally:
        cache.pop("collaborators", None)


# ---------------------------------------------------------------------------------------------
# Requests


def booking_request(*, requester, items: list[dict], collaborators=(), message: str = "") -> BookingGroup:
    """Create a session of one or more bookings, all or nothing (DESIGN §4.1-§4.8).

    The group comes back with `group.created_bookings`: the new bookings in item order, each with
    its device (and type) and group (and owner) loaded, so callers can answer without re-reading.
    """
    tz = lab_zone()
    message = (message or "").strip()
    with transaction.atomic():
        people = _resolve_collaborators(requester, collaborators)
        now = clock.now()
        policy = BookingPolicy.load()
        verdicts = _evaluate(owner=requester, raw_items=items, now=now, policy=policy, tz=tz, lock=True)
        _raise_if_refused(verdicts)
        locking.race_window()
        group, bookings, others_of = _create_rows(owner=requester, actor=requester, verdicts=verdicts,
                                                  collaborators=people, message=message)
        audit_log_many(actor=requester, action="scheduler.booking.requested",
                       entries=[(booking, {"group": group.pk, "status": booking.status}) for booking in bookings])
        _flag_neighbours(bookings, others_of, requester)
        with _collaborators_known(group, people):
            signals.booking_requested.send(sender=BookingGroup, group=group, bookings=bookings, actor=requester)
    return group


def booking_request_preview(*, requester, items: list[dict]) -> list[ItemCheck]:
    """What booking_request would say about each item, without writing or locking anything."""
    tz = lab_zone()
    verdicts = _evaluate(owner=requester, raw_items=items, now=clock.now(), policy=BookingPolicy.load(), tz=tz,
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


# ---------------------------------------------------------------------------------------------
# Decisions


def _locked_booking(booking: Booking) -> Booking:
    locking.devices_lock([booking.device_id])
    try:
        return Booking.objects.select_related("group", "device__device_type").get(pk=booking.pk)
    except Booking.DoesNotExist as exc:
        raise NotFound("No such booking.") from exc


def _approve_check(booking: Booking, *, tz, extra_confirmed: list[tuple[datetime, datetime]] = ()) -> tuple[str, str]:
    """(reason code, message) why `booking` cannot be confirmed now; ("", "") when it can."""
    device = booking.device
    if booking.end <= clock.now():
        # Confirming after the fact would record a use nobody decided in time; expiry takes it.
        return "validation", (
            f"This request for {device.name} {rules.describe_window(booking.start, booking.end, tz)} has ended "
            "without a decision; it will expire."
        )
    if not device.is_bookable:
        return "unavailable", f"{device.name} cannot be booked while its status is {device.get_status_display().lower()}."
    window = MaintenanceWindow.objects.filter(device=device, start__lt=booking.end, end__gt=booking.start).first()
    if window:
        return "maintenance", f"{device.name} is under maintenance {rules.describe_window(window.start, window.end, tz)}."
    confirmed = list(
        Booking.objects.filter(device=device, status=S.CONFIRMED, start__lt=booking.end, end__gt=booking.start)
        .exclude(pk=booking.pk).values_list("start", "end")
    )
    if rules.depth_with(booking.start, booking.end, [*confirmed, *extra_confirmed]) > device.effective_capacity:
        return "capacity", (
            f"{device.name} already has {device.effective_capacity} confirmed booking"
            f"{'' if device.effective_capacity == 1 else 's'} at some point "
            f"{rules.describe_window(booking.start, booking.end, tz)}; reject or cancel one first."
        )
    return "", ""


def _undecided_or_conflict(booking: Booking, verb: str) -> None:
    if booking.status not in UNDECIDED_STATUSES:
        raise RuleConflict(
            f"Only pending or conflicting requests can be {verb}; this booking is {booking.status}.",
            conflicts=[{"item": 0, "device": booking.device_id, "booking": booking.pk, "reason": "status",
                        "message": f"The booking is {booking.status}."}],
        )


def booking_approve(*, booking: Booking, actor, note: str = "") -> Booking:
    """Confirm an undecided request, within the device's capacity of confirmed bookings (DESIGN §4.6)."""
    tz = lab_zone()
    with transaction.atomic():
        booking = _locked_booking(booking)
        _require_manager(actor, booking.group)
        _undecided_or_conflict(booking, "approved")
        code, problem = _approve_check(booking, tz=tz)
        if code:
            raise RuleConflict(problem, conflicts=[{"item": 0, "device": booking.device_id, "booking": booking.pk,
                                                    "device_name": booking.device.name, "reason": code,
                                                    "message": problem}])
        _set_status(booking, S.CONFIRMED, actor=actor, note=note or "", action="scheduler.booking.approved")
        signals.booking_decided.send(sender=BookingGroup, group=booking.group, bookings=[booking], decision=S.CONFIRMED,
                                     actor=actor, note=note or "")
    return booking


def booking_reject(*, booking: Booking, actor, note: str = "") -> Booking:
    """Refuse an undecided request and re-evaluate its neighbours."""
    with transaction.atomic():
        booking = _locked_booking(booking)
        _require_manager(actor, booking.group)
        _undecided_or_conflict(booking, "rejected")
        _set_status(booking, S.REJECTED, actor=actor, note=note or "", action="scheduler.booking.rejected")
        _reevaluate(booking.device, [(booking.start, booking.end)], actor, "rejected")
        signals.booking_decided.send(sender=BookingGroup, group=booking.group, bookings=[booking], decision=S.REJECTED,
                                     actor=actor, note=note or "")
    return booking


def booking_cancel(*, booking: Booking, actor) -> Booking:
    """The owner (or a manager) withdraws an active booking that has not ended; neighbours are re-evaluated."""
    with transaction.atomic():
        booking = _locked_booking(booking)
        _require_owner_or_manager(actor, booking.group, "cancel")
        if booking.status not in ACTIVE_STATUSES:
            raise RuleConflict(f"This booking is already {booking.status}.",
                               conflicts=[{"item": 0, "device": booking.device_id, "booking": booking.pk,
                                           "reason": "status", "message": f"The booking is {booking.status}."}])
        if booking.end <= clock.now():
            raise RuleConflict("This booking has already ended; there is nothing to cancel.",
                               conflicts=[{"item": 0, "device": booking.device_id, "booking": booking.pk,
                                           "reason": "validation", "message": "The booking has ended."}])
        _set_status(booking, S.CANCELLED, actor=actor, action="scheduler.booking.cancelled")
        _reevaluate(booking.device, [(booking.start, booking.end)], actor, "cancelled")
        signals.booking_cancelled.send(sender=BookingGroup, group=booking.group, bookings=[booking], actor=actor)
    return booking


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


def _extend_one(booking: Booking, *, actor, end: datetime, now, policy, tz, world: _World, index: int,
                pending: list[_Verdict], stretch_start: datetime | None = None) -> _Verdict:
    """Check moving `booking`'s end to `end` (undecided) or adding [old end, end) (confirmed).

    `stretch_start` is where the run of back-to-back bookings ending in `booking` starts; the
    maximum duration holds for [stretch_start, end).
    """
    if booking.status not in ACTIVE_STATUSES:
        verdict = _Verdict(item=index, device=booking.device, device_id=booking.device_id, start=booking.start, end=end)
        verdict.code, verdict.message = "validation", f"This booking is {booking.status}; only active bookings can be extended."
        return verdict
    if booking.end <= now:
        verdict = _Verdict(item=index, device=booking.device, device_id=booking.device_id, start=booking.start, end=end)
        verdict.code, verdict.message = "validation", "This booking has ended; book a new slot instead."
        return verdict
    if end <= booking.end:
        verdict = _Verdict(item=index, device=booking.device, device_id=booking.device_id, start=booking.start, end=end)
        verdict.code = "validation"
        verdict.message = f"The new end must be after the current end ({booking.end.astimezone(tz):%H:%M} on {booking.end.astimezone(tz).day} {booking.end.astimezone(tz):%b})."
        return verdict
    device = world.devices.get(booking.device_id)
    limits = policy_limits(policy)
    owner = booking.group.owner
    stretch = (min(stretch_start or booking.start, booking.start), end)
    if booking.status == S.CONFIRMED:
        verdict = _Verdict(item=index, device=device, device_id=booking.device_id, start=booking.end, end=end)
        _check_item(verdict, owner=owner, world=world, now=now, limits=limits, tz=tz, new_items=pending,
                    whole_window=stretch)
    else:
        verdict = _Verdict(item=index, device=device, device_id=booking.device_id, start=booking.start, end=end)
        _check_item(verdict, owner=owner, world=world, now=now, limits=limits, tz=tz, new_items=pending,
                    exclude=frozenset({booking.pk}), check_past=False,
                    whole_window=stretch if stretch[0] < booking.start else None)
    return verdict


def _extend_apply(pairs: list[tuple[Booking, _Verdict]], *, actor) -> list[Booking]:
    changed = []
    for booking, verdict in pairs:
        if booking.status == S.CONFIRMED:
            added = Booking.objects.create(group=booking.group, device=booking.device, start=verdict.start,
                                           end=verdict.end, status=_fresh_status(booking.device, verdict.others))
            audit_log(actor=actor, action="scheduler.booking.extended", target=added,
                      data={"extends": booking.pk, "status": added.status, "end": verdict.end.isoformat()})
            _flag_neighbours([added], {added.pk: verdict.others}, actor)
            changed.append(added)
        else:
            old_end = booking.end
            booking.end = verdict.end
            booking.save(update_fields=["end", "updated_at"])
            audit_log(actor=actor, action="scheduler.booking.extended", target=booking,
                      data={"from_end": old_end.isoformat(), "end": verdict.end.isoformat()})
            status = _fresh_status(booking.device, verdict.others)
            if status != booking.status and rules.transition_allowed(booking.status, status):
                # Only a move into conflict is possible here: the old overlaps are still inside the window.
                _set_status(booking, status, actor=actor, action="scheduler.booking.reevaluated", data={"cause": "extended"})
            _flag_neighbours([booking], {booking.pk: verdict.others}, actor)
            changed.append(booking)
    return changed


def _extend_many(bookings: list[Booking], *, actor, end: datetime, group: BookingGroup) -> list[Booking]:
    tz = lab_zone()
    end = _normalise(end, tz, "end")
    now = clock.now()
    policy = BookingPolicy.load()
    span = [(min(b.start for b in bookings), max(end, max(b.end for b in bookings)))]
    world = _world_load([b.device_id for b in bookings], span, lock=True)
    bookings = list(Booking.objects.filter(pk__in=[b.pk for b in bookings]).select_related("group__owner", "device__device_type"))
    pending: list[_Verdict] = []
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
        _limit_check(added, owner=group.owner, policy=policy, now=now)
    for booking, verdict in pairs:
        verdict.booking = booking.pk
    _raise_if_refused(verdicts, "extension")
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
        _require_visible(actor, group)
        changed = _extend_many([booking], actor=actor, end=end, group=group)
    return changed[0]


# ---------------------------------------------------------------------------------------------
# Sessions


def _group_locked(group: BookingGroup) -> tuple[BookingGroup, list[Booking]]:
    locking.devices_lock(group.bookings.values_list("device_id", flat=True))
    try:
        group = BookingGroup.objects.select_related("owner").get(pk=group.pk)
    except BookingGroup.DoesNotExist as exc:
        raise NotFound("No such session.") from exc
    return group, list(group.bookings.select_related("device__device_type", "group").order_by("start", "id"))


def booking_group_cancel(*, group: BookingGroup, actor) -> list[Booking]:
    """Cancel every active booking of the session that has not ended (owner or manager)."""
    with transaction.atomic():
        group, bookings = _group_locked(group)
        _require_owner_or_manager(actor, group, "cancel")
        now = clock.now()
        targets = [b for b in bookings if b.status in ACTIVE_STATUSES and b.end > now]
        if not targets:
            raise RuleConflict("Nothing left to cancel in this session.", conflicts=[])
        for booking in targets:
            _set_status(booking, S.CANCELLED, actor=actor, action="scheduler.booking.cancelled", data={"group": group.pk})
        _reevaluate_freed(targets, actor, "cancelled")
        signals.booking_cancelled.send(sender=BookingGroup, group=group, bookings=targets, actor=actor)
    return targets


def booking_group_approve(*, group: BookingGroup, actor, note: str = "") -> list[Booking]:
    """Confirm every undecided request of the session, all or nothing (managers)."""
    tz = lab_zone()
    with transaction.atomic():
        group, bookings = _group_locked(group)
        _require_manager(actor, group)
        # Requests that have already ended are left to expiry (see _approve_check).
        now = clock.now()
        targets = [b for b in bookings if b.status in UNDECIDED_STATUSES and b.end > now]
        if not targets:
            raise RuleConflict("This session has no pending or conflicting requests to approve.", conflicts=[])
        conflicts, accepted = [], defaultdict(list)
        for index, booking in enumerate(targets):
            code, problem = _approve_check(booking, tz=tz, extra_confirmed=accepted[booking.device_id])
            if code:
                conflicts.append({"item": index, "booking": booking.pk, "device": booking.device_id,
                                  "device_name": booking.device.name, "reason": code, "message": problem})
            else:
                accepted[booking.device_id].append((booking.start, booking.end))
        if conflicts:
            raise RuleConflict(f"The session was not approved: {conflicts[0]['message']}", conflicts=conflicts)
        for booking in targets:
            _set_status(booking, S.CONFIRMED, actor=actor, note=note or "", action="scheduler.booking.approved",
                        data={"group": group.pk})
        signals.booking_decided.send(sender=BookingGroup, group=group, bookings=targets, decision=S.CONFIRMED,
                                     actor=actor, note=note or "")
    return targets


def booking_group_reject(*, group: BookingGroup, actor, note: str = "") -> list[Booking]:
    """Refuse every undecided request of the session (managers); neighbours are re-evaluated."""
    with transaction.atomic():
        group, bookings = _group_locked(group)
        _require_manager(actor, group)
        targets = [b for b in bookings if b.status in UNDECIDED_STATUSES]
        if not targets:
            raise RuleConflict("This session has no pending or conflicting requests to reject.", conflicts=[])
        for booking in targets:
            _set_status(booking, S.REJECTED, actor=actor, note=note or "", action="scheduler.booking.rejected",
                        data={"group": group.pk})
        _reevaluate_freed(targets, actor, "rejected")
        signals.booking_decided.send(sender=BookingGroup, group=group, bookings=targets, decision=S.REJECTED,
                                     actor=actor, note=note or "")
    return targets


def booking_group_extend(*, group: BookingGroup, actor, end: datetime) -> BookingGroup:
    """Extend every active booking whose end is the session's latest end to `end` (see module docstring)."""
    with transaction.atomic():
        group, bookings = _group_locked(group)
        _require_visible(actor, group)
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
    start = _normalise(start, tz, "start")
    with transaction.atomic():
        group, bookings = _group_locked(group)
        _require_visible(actor, group)
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
            verdicts = _evaluate(owner=group.owner, raw_items=items, now=now, policy=policy, tz=tz, lock=True)
        except ApplicationError as exc:
            raise RuleConflict(f"The session cannot be copied to that start: {exc.message}", conflicts=[]) from exc
        _raise_if_refused(verdicts, "copy")
        locking.race_window()
        people = list(group.collaborators.all())
        new_group, new_bookings, others_of = _create_rows(
            owner=group.owner, actor=actor, verdicts=verdicts, collaborators=people, message=group.message,
        )
        audit_log_many(actor=actor, action="scheduler.booking.requested", entries=[
            (booking, {"group": new_group.pk, "status": booking.status, "rebooked_from": group.pk})
            for booking in new_bookings
        ])
        audit_log(actor=actor, action="scheduler.group.rebooked", target=new_group, data={"source": group.pk})
        _flag_neighbours(new_bookings, others_of, actor)
        with _collaborators_known(new_group, people):
            signals.booking_rebooked.send(sender=BookingGroup, group=new_group, source=group, bookings=new_bookings,
                                          actor=actor)
    return new_group


def booking_group_set_collaborators(*, group: BookingGroup, actor, usernames: list[str]) -> BookingGroup:
    """Replace the session's collaborators (owner or manager); usernames are matched case-insensitively."""
    with transaction.atomic():
        group = BookingGroup.objects.select_for_update().select_related("owner").get(pk=group.pk)
        _require_owner_or_manager(actor, group, "change the collaborators of")
        people = _resolve_collaborators(group.owner, usernames)
        before = sorted(group.collaborators.values_list("username", flat=True))
        group.collaborators.set(people)
        audit_log(actor=actor, action="scheduler.group.collaborators_changed", target=group,
                  data={"from": before, "to": sorted(u.username for u in people)})
    return group


# ---------------------------------------------------------------------------------------------
# Expiry


def booking_expire_due(*, now: datetime | None = None, dry_run: bool = False) -> list[Booking]:
    """Undecided requests whose end has passed become expired (DESIGN §4.12). Never called on a GET."""
    now = now or clock.now()
    due = Booking.objects.filter(status__in=UNDECIDED_STATUSES, end__lte=now)
    if dry_run:
        return list(due.select_related("device", "group"))
    with transaction.atomic():
        locking.devices_lock(due.values_list("device_id", flat=True))
        bookings = list(due.select_related("device__device_type", "group").order_by("device_id", "start"))
        for booking in bookings:
            _set_status(booking, S.EXPIRED, actor=None, action="scheduler.booking.expired")
        _reevaluate_freed(bookings, None, "expired")
        if bookings:
            signals.booking_expired.send(sender=Booking, bookings=bookings)
    return bookings


def booking_reject_for_maintenance(*, bookings: list[Booking], window: MaintenanceWindow, actor) -> None:
    """Used by maintenance_window_create, under its lock."""
    tz = lab_zone()
    note = (f"Rejected: the device is under maintenance {rules.describe_window(window.start, window.end, tz)}"
            f"{' (' + window.reason + ')' if window.reason else ''}; please book another slot.")
    for booking in bookings:
        _set_status(booking, S.REJECTED, actor=actor, note=note, action="scheduler.booking.rejected",
                    data={"maintenance": window.pk})


def booking_cancel_for_maintenance(*, bookings: list[Booking], window: MaintenanceWindow, actor) -> None:
    tz = lab_zone()
    note = f"Cancelled: the device is under maintenance {rules.describe_window(window.start, window.end, tz)}."
    for booking in bookings:
        _set_status(booking, S.CANCELLED, actor=actor, note=note, action="scheduler.booking.cancelled",
                    data={"maintenance": window.pk})


def booking_device_retired(*, device: Device, actor) -> list[Booking]:
    """Reject the undecided requests of a device that has just been retired; keep its confirmed bookings.

    Runs inside the transaction that retires the device (inventory's device_status_changed signal,
    connected in SchedulerConfig.ready()). A request on a retired device can never be approved
    (approval refuses a device that is not available), so leaving it would only hold capacity and
    its owner's plans until it expired: it is rejected now with a note, and its owner and
    collaborators get the decision message. Confirmed bookings are agreed work: they stay for a lab
    manager to cancel or move (retiring is sometimes undone), and are listed in the audit event.
    Retiring is not refused because of them: the inventory records what is true of the hardware.
    Other unbookable statuses (maintenance, unavailable, spare, planned) are often temporary and
    leave the requests alone; none of them can be approved while the status lasts.
    """
    with transaction.atomic():
        locking.devices_lock([device.pk])
        now = clock.now()
        undecided = list(
            Booking.objects.filter(device_id=device.pk, status__in=UNDECIDED_STATUSES, end__gt=now)
            .select_related("group", "device__device_type").order_by("start", "id")
        )
        kept = list(Booking.objects.filter(device_id=device.pk, status=S.CONFIRMED, end__gt=now)
                    .order_by("start", "id").values_list("pk", flat=True))
        if not (undecided or kept):
            return []
        note = f"Rejected: {device.name} has been retired; please book another device."
        by_group: dict[int, list[Booking]] = defaultdict(list)
        for booking in undecided:
            _set_status(booking, S.REJECTED, actor=actor, note=note, action="scheduler.booking.rejected",
                        data={"device_retired": device.pk})
            by_group[booking.group_id].append(booking)
        audit_log(actor=actor, action="scheduler.device.retired", target=device,
                  data={"rejected": sorted(b.pk for b in undecided), "confirmed_kept": kept})
        for bookings in by_group.values():
            signals.booking_decided.send(sender=BookingGroup, group=bookings[0].group, bookings=bookings,
                                         decision=S.REJECTED, actor=actor, note=note)
    return undecided


def booking_reevaluate_after(*, device: Device, windows: list[tuple[datetime, datetime]], actor, cause: str) -> list[Booking]:
    """Re-evaluate conflicting neighbours of bookings that just left the active set (device locked)."""
    return _reevaluate(device, windows, actor, cause)

