"""Twelve weeks of demo history before the demo's current weeks, so demand and reports have a shape.

Busy weekday mornings and afternoons (Tuesday to Thursday most), quieter Mondays and Fridays, few
nights and weekends; transponders and ROADMs in more demand than the rest. Each device gets at
most one booking per lab slot, so capacity is never exceeded. Requests are dated a few hours to
days before their start and decided after a realistic wait, so approval latency is non-trivial.
Rows are written directly (the past cannot be requested through the services).
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from core import clock
from inventory.models import Device
from scheduler.cart import SLOTS
from scheduler.choices import BookingStatus as S
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup
from scheduler.services.booking import lab_zone
from scheduler.services.booking.units import UnitPlanner

HISTORY_PREFIX = "[demo] history: "
SEED = 20261205
WEEKS = 12
# The demo's own bookings cover the 14 days before today; the history ends before them.
GAP_DAYS = 15
# Chance that a device is booked in a slot, by weekday (Mon..Sun) and slot (morning, afternoon, overnight).
DEMAND = [
    (0.30, 0.25, 0.04), (0.45, 0.40, 0.06), (0.50, 0.45, 0.08), (0.45, 0.40, 0.06), (0.25, 0.15, 0.03),
    (0.04, 0.03, 0.02), (0.02, 0.02, 0.02),
]
POPULAR = {"ROADM": 1.4, "TeraFlex": 1.5, "Cassini": 1.2, "EDFA": 1.0, "OSA": 0.9}
OUTCOMES = [(S.CONFIRMED, 82), (S.CANCELLED, 8), (S.REJECTED, 5), (S.EXPIRED, 5)]


def demo_history_create(*, now: datetime | None = None) -> int:
    """Create the history (once); return the number of bookings created (0 when it exists or no lab)."""
    if BookingGroup.objects.filter(message__startswith=HISTORY_PREFIX).exists():
        return 0
    User = get_user_model()
    now = now or clock.now()
    tz = lab_zone()
    managers = User.objects.filter(Q(is_superuser=True) | Q(groups__permissions__codename="decide_booking")).distinct()
    manager = managers.order_by("pk").first()
    members = list(User.objects.filter(is_active=True).exclude(pk__in=managers.values("pk")).order_by("username"))
    devices = list(Device.objects.select_related("device_type").filter(status="available", device_type__is_schedulable=True)
                   .order_by("device_type__name", "name"))
    if not members or not devices:
        return 0
    rng = random.Random(SEED)
    today = now.astimezone(tz).date()
    first = today - timedelta(days=GAP_DAYS + 7 * WEEKS)
    statuses, weights = zip(*OUTCOMES, strict=True)
    plan: dict[tuple, list[tuple]] = {}  # (owner pk, day) → rows of one session
    for n in range(7 * WEEKS):
        day = first + timedelta(days=n)
        for device in devices:
            factor = POPULAR.get(device.device_type.name, 0.6)
            for index, slot in enumerate(SLOTS):
                if rng.random() >= DEMAND[day.weekday()][index] * factor:
                    continue
                start, end = slot.window(day, tz)
                owner = rng.choice(members)
                created = start - timedelta(hours=rng.choice([2, 6, 20, 30, 50, 80, 120]))
                status = rng.choices(statuses, weights)[0]
                decided = None
                if status in (S.CONFIRMED, S.REJECTED):
                    decided = min(created + timedelta(minutes=rng.choice([20, 45, 90, 180, 400, 900, 1500, 2400, 3600])), start)
                plan.setdefault((owner.pk, day), []).append((owner, device, start, end, status, created, decided))
    created_count = 0
    with transaction.atomic():
        # The demo lab's devices were in the lab long before the history starts.
        Device.objects.filter(created_at__gt=now - timedelta(days=400)).update(created_at=now - timedelta(days=400))
        keys = sorted(plan, key=lambda k: (k[1], k[0]))
        groups = BookingGroup.objects.bulk_create(
            [BookingGroup(owner=plan[k][0][0], message=HISTORY_PREFIX + f"sessions of {k[1]:%a %d %b}") for k in keys])
        # Each active row takes a unit of its device, around what is already stored (see units.py).
        entries = [entry for key in keys for entry in plan[key]]
        held: dict[int, list[Booking]] = {}
        if entries:
            for booking in Booking.objects.filter(
                device__in={entry[1].pk for entry in entries}, status__in=ACTIVE_STATUSES,
                start__lt=max(entry[3] for entry in entries), end__gt=min(entry[2] for entry in entries),
            ):
                held.setdefault(booking.device_id, []).append(booking)
        planner = UnitPlanner(held, actor=None, now=now)
        rows, stamps = [], []
        for group, key in zip(groups, keys, strict=True):
            for _owner, device, start, end, status, created, decided in plan[key]:
                rows.append(Booking(group=group, device=device, start=start, end=end, status=status,
                                    decided_at=decided, decided_by=manager if decided else None,
                                    decision_note="The ring is reserved that day." if status == S.REJECTED else ""))
                if status in ACTIVE_STATUSES:
                    planner.place(rows[-1], device)
                stamps.append((created, decided or created))
        bookings = Booking.objects.bulk_create(rows, batch_size=2000)
        # auto_now_add and auto_now stamp the rows with the present: date them back to when they happened.
        for booking, (created, changed) in zip(bookings, stamps, strict=True):
            booking.created_at, booking.updated_at = created, changed
        Booking.objects.bulk_update(bookings, ["created_at", "updated_at"], batch_size=2000)
        for group, key in zip(groups, keys, strict=True):
            group.created_at = min(row[5] for row in plan[key])
        BookingGroup.objects.bulk_update(groups, ["created_at"], batch_size=2000)
        created_count = len(bookings)
    return created_count
