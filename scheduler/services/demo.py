"""Demo bookings for `init_db --demo`: a few weeks of a living schedule around today.

Rows are written directly (the past cannot be requested through booking_request), but every row
respects the booking rules: capacity depth, no own overlap, soft conflicts flagged, nothing over
the maintenance window, undecided requests in the past expired.
"""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from core import clock
from inventory.models import Device
from scheduler import booking_rules as rules
from scheduler.choices import BookingStatus as S
from scheduler.constants import ACTIVE_STATUSES, UNDECIDED_STATUSES
from scheduler.models import Booking, BookingGroup, MaintenanceWindow
from scheduler.services.booking import lab_zone
from scheduler.services.booking.units import UnitPlanner

DEMO_PREFIX = "[demo] "
SEED = 20261126
# The lab's habitual slots (hours on the wall clock; 18-07 runs overnight).
SLOTS = [(7, 12), (12, 18), (18, 31), (9, 17)]
MESSAGES = [
    "OSNR sweep on the C-band",
    "Coherent transmission test, 400G",
    "ROADM reconfiguration experiment",
    "Amplifier gain tilt measurements",
    "Teaching lab: optical spectrum basics",
    "Digital twin validation run",
    "Fibre-spool latency calibration",
]


class _Plan:
    """The bookings decided so far, to keep the demo within the rules."""

    def __init__(self, window: tuple[datetime, datetime] | None, window_device: int | None):
        self.rows: list[dict] = []
        self.window = window
        self.window_device = window_device

    def add(self, *, owner, device: Device, start, end, status) -> dict | None:
        if self.window and device.pk == self.window_device and rules.overlaps(*self.window, start, end):
            return None
        same = [r for r in self.rows if r["device"].pk == device.pk and r["status"] in ACTIVE_STATUSES
                and rules.overlaps(r["start"], r["end"], start, end)]
        if status in ACTIVE_STATUSES:
            if any(r["owner"].pk == owner.pk for r in same):
                return None
            if rules.depth_with(start, end, [(r["start"], r["end"]) for r in same]) > device.effective_capacity:
                return None
            confirmed = [(r["start"], r["end"]) for r in same if r["status"] == S.CONFIRMED]
            if status == S.CONFIRMED and rules.depth_with(start, end, confirmed) > device.effective_capacity:
                return None
        others = [r for r in same if r["owner"].pk != owner.pk]
        if status in UNDECIDED_STATUSES and others:
            status = S.CONFLICTING
        if status in ACTIVE_STATUSES:
            for r in others:
                if r["status"] == S.PENDING:
                    r["status"] = S.CONFLICTING
        row = {"owner": owner, "device": device, "start": start, "end": end, "status": status}
        self.rows.append(row)
        return row


def demo_bookings_create(*, now: datetime | None = None) -> int:
    """Create the demo sessions and one maintenance window; return the number of bookings created.

    Deterministic for a given day; does nothing (returns 0) when demo sessions exist already, or
    when the demo lab is missing (fewer than 2 members or 6 bookable devices).
    """
    if BookingGroup.objects.filter(message__startswith=DEMO_PREFIX).exists():
        return 0
    User = get_user_model()
    tz = lab_zone()
    now = now or clock.now()
    managers = User.objects.filter(Q(is_superuser=True) | Q(groups__permissions__codename="decide_booking")).distinct()
    manager = managers.order_by("pk").first()
    members = list(User.objects.filter(is_active=True).exclude(pk__in=managers.values("pk")).order_by("username"))
    devices = list(
        Device.objects.select_related("device_type")
        .filter(status="available", device_type__is_schedulable=True)
        .order_by("device_type__name", "name")
    )
    if len(members) < 2 or len(devices) < 6:
        return 0
    rng = random.Random(SEED)
    today = now.astimezone(tz).date()

    def local(day_offset: int, hour: int) -> datetime:
        day = today + timedelta(days=day_offset + hour // 24)
        return rules.wall_clock(day, time(hour % 24), tz)  # an instant (UTC), compared as such below

    window_device = devices[min(5, len(devices) - 1)]
    window = (local(3, 9), local(3, 17))
    plan = _Plan(window, window_device.pk)
    sessions: list[tuple[object, list[dict], list, str]] = []

    # A multi-device session with a collaborator, tomorrow morning, confirmed.
    owner, partner = members[0], members[1]
    rows = [plan.add(owner=owner, device=d, start=local(1, 7), end=local(1, 12), status=S.CONFIRMED) for d in devices[:3]]
    sessions.append((owner, [r for r in rows if r], [partner], "Multi-device session: ROADM ring with amplifiers"))
    # A soft conflict: two members want the same device tomorrow afternoon.
    for who in (members[0], members[1]):
        row = plan.add(owner=who, device=devices[3], start=local(1, 12), end=local(1, 18), status=S.PENDING)
        sessions.append((who, [row] if row else [], [], "Needs the transponder for a 400G test"))
    # Three weeks around today of ordinary sessions.
    for _ in range(60):
        owner = rng.choice(members)
        day = rng.randint(-14, 14)
        first, last = rng.choice(SLOTS)
        count = rng.choice([1, 1, 1, 2, 3])
        chosen = rng.sample(devices, count)
        span_days = rng.choice([1, 1, 1, 2])
        if day + span_days <= 0:
            status = rng.choice([S.CONFIRMED] * 6 + [S.REJECTED, S.CANCELLED, S.EXPIRED])
        else:
            status = rng.choice([S.CONFIRMED, S.CONFIRMED, S.PENDING, S.PENDING, S.CANCELLED])
        rows = []
        for device in chosen:
            for d in range(span_days):
                row = plan.add(owner=owner, device=device, start=local(day + d, first), end=local(day + d, last),
                               status=status)
                if row:
                    rows.append(row)
        if rows:
            extra = [m for m in members if m.pk != owner.pk]
            sessions.append((owner, rows, rng.sample(extra, 1) if rng.random() < 0.2 else [], rng.choice(MESSAGES)))

    # Undecided requests in the past are expired, as the worker would have done.
    for row in plan.rows:
        if row["status"] in UNDECIDED_STATUSES and row["end"] <= now:
            row["status"] = S.EXPIRED

    created = 0
    with transaction.atomic():
        # Each active row takes a unit of its device, around what is already stored (see units.py).
        stored = Booking.objects.filter(device__in=devices, status__in=ACTIVE_STATUSES,
                                        start__lt=max(r["end"] for r in plan.rows), end__gt=min(r["start"] for r in plan.rows))
        held: dict[int, list[Booking]] = {}
        for booking in stored:
            held.setdefault(booking.device_id, []).append(booking)
        planner = UnitPlanner(held, actor=None, now=now)
        for owner, rows, collaborators, message in sessions:
            if not rows:
                continue
            group = BookingGroup.objects.create(owner=owner, message=DEMO_PREFIX + message)
            if collaborators:
                group.collaborators.set(collaborators)
            objects = []
            for row in rows:
                decided = row["status"] in (S.CONFIRMED, S.REJECTED)
                objects.append(Booking(
                    group=group, device=row["device"], start=row["start"], end=row["end"], status=row["status"],
                    decided_by=manager if decided else None,
                    decided_at=min(row["start"], now) - timedelta(days=1) if decided else None,
                    decision_note="Not this week, the ring is reserved for a demo." if row["status"] == S.REJECTED else "",
                ))
                if row["status"] in ACTIVE_STATUSES:
                    planner.place(objects[-1], row["device"])
            Booking.objects.bulk_create(objects)
            created += len(objects)
        MaintenanceWindow.objects.create(device=window_device, start=window[0], end=window[1],
                                         reason="Firmware upgrade (demo)", created_by=manager)
    return created
