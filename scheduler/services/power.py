"""Switching an outlet: who may, one switch at a time, the state read back, every attempt audited.

Rules (DESIGN §11):
- a lab manager may switch any outlet; the owner or a collaborator of a confirmed booking of the
  outlet's device covering now may switch that outlet; anyone else is refused (403, with the reason);
- switching off or cycling a device that someone else holds now is refused (409, naming the holder)
  unless a lab manager sends `force`;
- one switch at a time per outlet: a lease on the outlet row (one conditional UPDATE) is taken
  before the PDU is called and released after the state is read back; a second request meanwhile
  gets 409 and never reaches the PDU. No database transaction stays open during the network call;
- the PDU's state is read back after the command; a PDU failure answers 502/504, and a command the
  PDU accepted without the outlet reaching the state asked for answers 502 with the state it reads;
- every attempt (refused, failed or done) writes `scheduler.power.switch` in the audit log; forced
  switches and failures are announced in the admin Discord channel.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from core import clock
from core.choices import NotificationDestination
from core.exceptions import ApplicationError, NotAllowed, RuleConflict
from core.roles import is_lab_manager
from core.services.audit import audit_log
from core.services.notifications import notification_record
from inventory import power_messages
from inventory.choices import PowerAction, PowerState
from inventory.models import Outlet
from inventory.pdu_driver import PduBadAnswer, PduError
from inventory.services.power import outlet_lease_acquire, outlet_lease_release, pdu_connect
from scheduler.selectors.access import device_holdings_at

AUDIT_ACTION = "scheduler.power.switch"
EXPECTED = {PowerAction.ON: PowerState.ON, PowerAction.OFF: PowerState.OFF, PowerAction.CYCLE: PowerState.ON}


@dataclass
class SwitchResult:
    outlet: Outlet
    action: str
    before: str
    state: str
    read_at: datetime


def _audit(*, outlet: Outlet, actor, action: str, result: str, before: str, after: str, cause: str,
           force: bool = False, reason: str = "", holders=(), booking=None) -> None:
    audit_log(actor=actor, action=AUDIT_ACTION, target=outlet, data={
        "outlet": outlet.pk, "pdu": str(outlet.pdu), "number": outlet.number,
        "device": outlet.device_id, "device_name": outlet.device.name if outlet.device_id else "",
        "action": action, "before": before, "after": after, "result": result, "cause": cause,
        "force": force, "reason": reason, "holders": list(holders), "booking": getattr(booking, "pk", None),
    })


def _announce(*, outlet: Outlet, actor, action: str, result: str, state: str, forced_over=(), error: str = "") -> None:
    notification_record(
        event="power_switch_forced" if result == "ok" else "power_switch_failed",
        destination=NotificationDestination.ADMIN,
        build=lambda: power_messages.outlet_switched(
            outlet=outlet, device=outlet.device.name if outlet.device_id else "", actor=actor, action=action,
            result=result, state=state, forced_over=forced_over, error=error),
    )


def outlet_switch_refusal(*, outlet: Outlet, actor, action: str, force: bool = False,
                          now: datetime | None = None) -> tuple[ApplicationError | None, list[str]]:
    """Why `actor` may not switch `outlet` now (None when they may), and who else holds its device now."""
    now = now or clock.now()
    manager = is_lab_manager(actor)
    holding = None
    if outlet.device_id:
        holding = device_holdings_at(device_ids=[outlet.device_id], user=actor, at=now).get(outlet.device_id)
    others = holding.others if holding else []
    if not manager and not (holding and holding.held_by_user):
        if not outlet.device_id:
            return NotAllowed(f"{outlet} powers no device in the inventory; only a lab manager may switch it."), others
        return NotAllowed(
            f"You may not switch {outlet.device.name}: only a lab manager, or the owner or a collaborator of a "
            "confirmed booking of it covering now, may switch its outlet."
        ), others
    if action in (PowerAction.OFF, PowerAction.CYCLE) and others and not (manager and force):
        names = ", ".join(others)
        verb = "Switching off" if action == PowerAction.OFF else "Power-cycling"
        hint = " Send force to do it anyway." if manager else " Ask them, or a lab manager."
        return RuleConflict(
            f"{outlet.device.name} is held now by {names}. {verb} it would cut their session.{hint}",
            conflicts=[{"item": 0, "device": outlet.device_id, "reason": "held", "holders": others}],
            extra={"holders": others},
        ), others
    return None, others


def _outlet_locked_read(outlet: Outlet) -> Outlet:
    return Outlet.objects.select_related("pdu__device", "device").get(pk=outlet.pk)


def outlet_power_apply(*, outlet: Outlet, actor, action: str, cause: str, force: bool = False,
                       forced_over=(), booking=None) -> SwitchResult:
    """Send `action` to the PDU under the outlet's lease, read the state back, store, audit and announce.

    No permission check: callers decide (outlet_switch for people, the schedule for itself).
    Raises RuleConflict when another switch holds the outlet, PduError when the PDU fails.
    """
    outlet = _outlet_locked_read(outlet)
    token = outlet_lease_acquire(outlet=outlet)
    if token is None:
        with transaction.atomic():
            _audit(outlet=outlet, actor=actor, action=action, result="refused", before=outlet.state, after=outlet.state,
                   cause=cause, force=force, reason="busy", booking=booking)
        raise RuleConflict(f"{outlet} is being switched by another request; try again in a few seconds.",
                           conflicts=[{"item": 0, "device": outlet.device_id, "reason": "busy"}])
    before, after, error = outlet.state, outlet.state, None
    try:
        try:
            driver = pdu_connect(pdu=outlet.pdu)
            before = driver.outlet_state(outlet.number)
            after = driver.outlet_switch(outlet.number, action)
            if after != EXPECTED[action]:
                error = PduBadAnswer(f"{outlet.pdu} accepted the command, but outlet {outlet.number} reads {after}.",
                                     extra={"state": after})
        except PduError as exc:
            error = exc
        now = clock.now()
        result = "failed" if error else "ok"
        with transaction.atomic():
            if after != outlet.state or error is None:
                Outlet.objects.filter(pk=outlet.pk).update(state=after, read_at=now)
            _audit(outlet=outlet, actor=actor, action=action, result=result, before=before, after=after, cause=cause,
                   force=force, reason=error.message if error else "", holders=forced_over, booking=booking)
            # The schedule's failures are announced once per failing PDU (pdu_failure_record), not per pass.
            if (error is not None and cause != "schedule") or forced_over:
                _announce(outlet=outlet, actor=actor, action=action, result=result, state=after,
                          forced_over=forced_over, error=error.message if error else "")
    finally:
        outlet_lease_release(outlet=outlet, token=token)
    if error is not None:
        raise error
    outlet.state, outlet.read_at = after, now
    return SwitchResult(outlet=outlet, action=action, before=before, state=after, read_at=now)


def outlet_switch(*, outlet: Outlet, actor, action: str, force: bool = False) -> SwitchResult:
    """A person switches an outlet: check the rules, then apply (see the module docstring)."""
    if action not in PowerAction.values:
        raise ApplicationError(f"Unknown action {action!r}: use one of on, off, cycle.")
    outlet = _outlet_locked_read(outlet)
    refusal, others = outlet_switch_refusal(outlet=outlet, actor=actor, action=action, force=force)
    if refusal is not None:
        with transaction.atomic():
            _audit(outlet=outlet, actor=actor, action=action, result="refused", before=outlet.state,
                   after=outlet.state, cause="manual", force=force, reason=refusal.message, holders=others)
        raise refusal
    forced_over = others if action in (PowerAction.OFF, PowerAction.CYCLE) else []
    return outlet_power_apply(outlet=outlet, actor=actor, action=action, cause="manual", force=force,
                              forced_over=forced_over)
