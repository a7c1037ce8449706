"""Booking-driven power, run by the worker on every pass.

For each outlet in `booking` mode that powers a device:
- it should be ON from POWER_LEAD_MINUTES before a confirmed booking of the device starts until
  that booking ends;
- once on, it stays on while any active booking (pending, conflicting or confirmed) of the device
  covers now, so it is switched off only after the last one ends, and never while another confirmed
  booking runs or starts within the lead time;
- otherwise it should be OFF.

The decision is kept in a PowerPlan row; the outlet is switched only when the decision changes (or
was not carried out yet), so a holder who switches their device off by hand is not overruled on the
next pass. Each new decision and each switch is audited. `always_on` and `manual` outlets are never
touched. A PDU that fails is left alone until its backoff ends (inventory.services.power), and is
reported once, not on every pass.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from core import clock
from core.exceptions import RuleConflict
from core.services.audit import audit_log
from inventory.choices import OutletMode, PowerAction, PowerState
from inventory.models import Outlet
from inventory.pdu_driver import PduError
from inventory.services.power import pdu_failure_record, pdu_success_record
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, PowerPlan
from scheduler.services.power import outlet_power_apply

logger = logging.getLogger(__name__)


def power_lead() -> timedelta:
    return timedelta(minutes=settings.POWER_LEAD_MINUTES)


def _wanted(*, device_id: int, plan: PowerPlan | None, starting: dict, running: set) -> tuple[str, Booking | None]:
    booking = starting.get(device_id)
    if booking is not None:
        return PowerState.ON, booking
    if plan is not None and plan.wanted == PowerState.ON and device_id in running:
        return PowerState.ON, plan.booking
    return PowerState.OFF, None


def power_schedule_apply(*, now: datetime | None = None) -> int:
    """Decide and carry out the power of every booking-mode outlet. Returns how many outlets were switched."""
    now = now or clock.now()
    # An outlet that left booking mode (or lost its device) forgets its plan: coming back starts afresh.
    PowerPlan.objects.filter(Q(outlet__mode__in=[OutletMode.ALWAYS_ON, OutletMode.MANUAL]) | Q(outlet__device__isnull=True)).delete()
    outlets = list(
        Outlet.objects.select_related("pdu__device", "device", "power_plan")
        .filter(mode=OutletMode.BOOKING, device__isnull=False)
        .filter(Q(pdu__retry_at__isnull=True) | Q(pdu__retry_at__lte=now))
        .order_by("pdu_id", "number")
    )
    if not outlets:
        return 0
    device_ids = {o.device_id for o in outlets}
    starting: dict[int, Booking] = {}
    for booking in (Booking.objects.filter(device_id__in=device_ids, status=BookingStatus.CONFIRMED,
                                           start__lte=now + power_lead(), end__gt=now).order_by("start", "id")):
        starting.setdefault(booking.device_id, booking)
    running = set(Booking.objects.filter(device_id__in=device_ids, status__in=ACTIVE_STATUSES, start__lte=now, end__gt=now)
                  .values_list("device_id", flat=True))

    switched = 0
    failed_pdus: set[int] = set()
    answered = {}
    for outlet in outlets:
        if outlet.pdu_id in failed_pdus:
            continue
        plan = getattr(outlet, "power_plan", None)
        wanted, booking = _wanted(device_id=outlet.device_id, plan=plan, starting=starting, running=running)
        if plan is None or plan.wanted != wanted:
            plan = _decide(outlet=outlet, wanted=wanted, booking=booking, now=now)
        if plan.done_at is not None:
            continue
        if plan.wanted == outlet.state and outlet.read_at is not None and _fresh(outlet, now):
            _done(plan, now)
            continue
        action = PowerAction.ON if plan.wanted == PowerState.ON else PowerAction.OFF
        try:
            outlet_power_apply(outlet=outlet, actor=None, action=action, cause="schedule", booking=plan.booking)
        except RuleConflict:
            continue  # someone is switching it right now; the next pass looks again
        except PduError as exc:
            failed_pdus.add(outlet.pdu_id)
            pdu_failure_record(pdu=outlet.pdu, error=exc, now=now)
            logger.warning("Scheduled power of %s failed: %s", outlet, exc.message)
            continue
        _done(plan, clock.now())
        switched += 1
        answered[outlet.pdu_id] = outlet.pdu
    for pdu_id, pdu in answered.items():
        if pdu_id not in failed_pdus:
            pdu_success_record(pdu=pdu)
    return switched


def _fresh(outlet: Outlet, now: datetime) -> bool:
    """A reading recent enough to trust instead of switching (it was read within the poll interval)."""
    return now - outlet.read_at <= timedelta(seconds=settings.POWER_POLL_SECONDS)


def _decide(*, outlet: Outlet, wanted: str, booking: Booking | None, now: datetime) -> PowerPlan:
    with transaction.atomic():
        plan, _ = PowerPlan.objects.update_or_create(
            outlet=outlet, defaults={"wanted": wanted, "booking": booking, "decided_at": now, "done_at": None},
        )
        audit_log(actor=None, action="scheduler.power.planned", target=outlet, data={
            "outlet": outlet.pk, "device": outlet.device_id, "wanted": wanted,
            "booking": getattr(booking, "pk", None), "lead_minutes": settings.POWER_LEAD_MINUTES,
        })
    outlet.power_plan = plan
    return plan


def _done(plan: PowerPlan, at: datetime) -> None:
    PowerPlan.objects.filter(pk=plan.pk).update(done_at=at)
    plan.done_at = at
