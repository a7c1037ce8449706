"""The Discord messages about bookings, in the wording the lab knows from the old system.

Each builder takes the scheduler's model instances and returns the final webhook JSON, which core's
outbox stores as it is (core.discord escapes user text, limits mentions and lengths). Messages are built when the event
happens, so they describe the change as it was, whatever happens to the rows later.

Times are shown in the lab's time zone (settings.TIME_ZONE) as dd/mm/YYYY HH:MM; first and last slot
are the earliest start and the latest end, whatever the order of submission.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone

from core.discord import escape, is_discord_id, join_limited, user_label, webhook_payload
from inventory.models import Device
from scheduler.choices import BookingStatus
from scheduler.models import Booking, BookingGroup

CONFLICTING = BookingStatus.CONFLICTING
UNDECIDED = (BookingStatus.PENDING, BookingStatus.CONFLICTING)


def _when(dt) -> str:
    return timezone.localtime(dt, ZoneInfo(settings.TIME_ZONE)).strftime("%d/%m/%Y %H:%M")


def _device_label(device) -> str:
    return escape(f"{device.device_type.name} - {device.name}", max_length=120)


def _devices(bookings, *, budget: int = 600) -> tuple[int, str]:
    labels = sorted({_device_label(b.device) for b in bookings}, key=str.lower)
    return len(labels), join_limited(labels, budget=budget)


def _span(bookings) -> tuple[str, str]:
    return _when(min(b.start for b in bookings)), _when(max(b.end for b in bookings))


def _action_required(bookings) -> str:
    if any(b.status == CONFLICTING for b in bookings):
        return "> Action Required: **🔴 Yes**"
    return "> Action Required: **🟢 No**"


def _collaborator_names(group) -> str:
    names = [escape(u.get_username(), max_length=60) for u in group.collaborators.all()]
    return join_limited(names, budget=250) if names else "None"


def _message(text) -> str:
    return escape(text, max_length=400) or "None"


def _people(group, *, exclude=None) -> tuple[str, list[str]]:
    """Owner and collaborators as text, mentioning those with a Discord id (not `exclude`, who acted)."""
    users = [group.owner, *[u for u in group.collaborators.all() if u.pk != group.owner_id]]
    labels: list[str] = []
    ids: list[str] = []
    for user in users:
        mention = exclude is None or user.pk != exclude.pk
        labels.append(user_label(user, mention=mention))
        if mention and is_discord_id(user.discord_id):
            ids.append(user.discord_id)
    return join_limited(labels, budget=400), ids


def _carries_all(booking) -> bool:
    """Whether the booking already holds what the messages read (the booking services hand over
    bookings with their device, type, session, owner and collaborators loaded)."""
    if not (Booking.device.is_cached(booking) and Booking.group.is_cached(booking)):
        return False
    group = booking.group
    return (Device.device_type.is_cached(booking.device) and BookingGroup.owner.is_cached(group)
            and "collaborators" in getattr(group, "_prefetched_objects_cache", {}))


def _prefetch(bookings) -> list:
    bookings = list(bookings)
    if not all(_carries_all(b) for b in bookings):
        prefetch_related_objects(bookings, "device__device_type", "group__owner", "group__collaborators")
    return bookings


def _by_group(bookings) -> list[tuple[object, list]]:
    groups: dict[int, tuple[object, list]] = {}
    for booking in bookings:
        groups.setdefault(booking.group_id, (booking.group, []))[1].append(booking)
    return list(groups.values())


def requested(*, group, bookings) -> dict:
    """Booking channel: a new session was requested."""
    bookings = _prefetch(bookings)
    count, devices = _devices(bookings)
    first, last = _span(bookings)
    return webhook_payload(
        [
            ":bell: **New Booking Created**",
            f"> User: {user_label(group.owner, mention=False)}",
            _action_required(bookings),
            f"> Number of devices requested: **{count}**",
            f"> Devices: **{devices}**",
            f"> First slot: **{first}**",
            f"> Last slot: **{last}**",
            f"> Collaborators: **{_collaborator_names(group)}**",
            f"> Message: {_message(group.message)}",
        ]
    )


def rebooked(*, group, bookings) -> dict:
    """Booking channel: a session was copied to a new start (a new request)."""
    bookings = _prefetch(bookings)
    _, devices = _devices(bookings)
    first, last = _span(bookings)
    return webhook_payload(
        [
            ":repeat: **Booking Group Re-created**",
            f"> User: {user_label(group.owner, mention=False)}",
            _action_required(bookings),
            f"> Devices: **{devices}**",
            f"> New window: **{first} → {last}**",
            f"> Collaborators: **{_collaborator_names(group)}**",
            f"> Message: {_message(group.message)}",
        ]
    )


def extended(*, group, bookings, actor) -> dict:
    """Booking channel: a session's end moved (extra time on a confirmed booking needs a decision)."""
    bookings = _prefetch(bookings)
    _, devices = _devices(bookings)
    lines = [":arrow_right: **Booking Extended**", f"> User: {user_label(group.owner, mention=False)}"]
    if actor is not None and actor.pk != group.owner_id:
        lines.append(f"> Extended by: {user_label(actor, mention=False)}")
    undecided = sum(1 for b in bookings if b.status in UNDECIDED)
    lines += [
        _action_required(bookings),
        f"> Devices: **{devices}**",
        f"> New end: **{_when(max(b.end for b in bookings))}**",
    ]
    if undecided:
        lines.append(f"> Awaiting a decision: **{undecided}** booking{'s' if undecided != 1 else ''}")
    return webhook_payload(lines)


def decided(*, group, bookings, decision: str, actor, note: str = "") -> dict:
    """Admin channel: one message per decision on a session, mentioning its owner and collaborators."""
    bookings = _prefetch(bookings)
    people, ids = _people(group)
    _, devices = _devices(bookings)
    first, last = _span(bookings)
    emoji = ":white_check_mark:" if decision == BookingStatus.CONFIRMED else ":x:"
    word = "CONFIRMED" if decision == BookingStatus.CONFIRMED else "REJECTED"
    lines = [
        f"{emoji} {people}, your booking has been **{word}** {'by admin' if actor is not None else 'automatically'}.",
        f"> Device{'s' if len({b.device_id for b in bookings}) != 1 else ''}: **{devices}**",
        f"> Time Period: {first} ~ {last}",
    ]
    if len(bookings) > 1:
        lines.append(f"> Bookings decided: **{len(bookings)}**")
    if actor is not None:
        lines.append(f"> Decided by: {user_label(actor, mention=False)}")
    if note:
        lines.append(f"> Note: {escape(note, max_length=400)}")
    return webhook_payload(lines, mention_ids=ids)


def cancelled(*, group, bookings, actor) -> dict:
    """Admin channel: bookings of a session were cancelled; the others concerned are mentioned."""
    bookings = _prefetch(bookings)
    people, ids = _people(group, exclude=actor)
    _, devices = _devices(bookings)
    first, last = _span(bookings)
    lines = [
        ":no_entry_sign: **Booking Cancelled**",
        f"> Session of: {people}",
        f"> Cancelled by: {user_label(actor, mention=False)}",
        f"> Devices: **{devices}**",
        f"> Time Period: {first} ~ {last}",
    ]
    if len(bookings) > 1:
        lines.append(f"> Bookings cancelled: **{len(bookings)}**")
    return webhook_payload(lines, mention_ids=ids)


def maintenance(*, window, rejected, cancelled) -> dict | None:
    """Admin channel: a maintenance window hit bookings; everyone affected is mentioned. None if it hit nothing."""
    hit = _prefetch([*rejected, *cancelled])
    if not hit:
        return None
    ids: list[str] = []
    labels: dict[int, str] = {}
    for group, _ in _by_group(hit):
        for user in [group.owner, *group.collaborators.all()]:
            labels.setdefault(user.pk, user_label(user))
            if is_discord_id(user.discord_id):
                ids.append(user.discord_id)
    lines = [
        ":tools: **Maintenance Scheduled**",
        f"> Device: **{_device_label(window.device)}**",
        f"> Window: {_when(window.start)} ~ {_when(window.end)}",
    ]
    if window.reason:
        lines.append(f"> Reason: {escape(window.reason, max_length=200)}")
    if rejected:
        lines.append(f"> Requests rejected: **{len(rejected)}**")
    if cancelled:
        lines.append(f"> Confirmed bookings cancelled: **{len(cancelled)}**")
    lines.append(f"> Affected: {join_limited(list(labels.values()), budget=900)}")
    lines.append("Please pick another slot or device.")
    return webhook_payload(lines, mention_ids=ids)


def reminders(*, bookings, kind: str) -> list[dict]:
    """Admin channel: one reminder per session before its bookings start ("start") or end ("end")."""
    out = []
    for group, rows in _by_group(_prefetch(bookings)):
        people, ids = _people(group)
        _, devices = _devices(rows)
        first, last = _span(rows)
        if kind == "start":
            head = f":alarm_clock: {people}, your booking starts at **{first}**."
        else:
            head = f":hourglass: {people}, your booking ends at **{last}**. Extend it now if you need more time."
        out.append(
            webhook_payload([head, f"> Devices: **{devices}**", f"> Time Period: {first} ~ {last}"], mention_ids=ids)
        )
    return out


def expired(*, bookings) -> list[dict]:
    """Admin channel: one message per session whose undecided requests expired."""
    out = []
    for group, rows in _by_group(_prefetch(bookings)):
        people, ids = _people(group)
        _, devices = _devices(rows)
        first, last = _span(rows)
        out.append(
            webhook_payload(
                [
                    f":hourglass_flowing_sand: {people}, your booking request has **EXPIRED**: "
                    "no decision was made before its end.",
                    f"> Devices: **{devices}**",
                    f"> Time Period: {first} ~ {last}",
                ],
                mention_ids=ids,
            )
        )
    return out
