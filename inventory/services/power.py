"""PDU connections, readings, the per-outlet switching lease and PDU failure backoff.

Readings (outlet state, power, current; PDU power and energy) are a cache of what the PDU said and
when: storing them writes no audit event. Failures and recoveries of a PDU do: the worker backs a
failing PDU off (PDU_BACKOFF_SECONDS · 2^(failures-1), capped) and announces it in the admin channel
once, then once more when it answers again.
"""

import logging
import os
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from core import clock
from core.choices import NotificationDestination
from core.services.audit import audit_log
from core.services.notifications import notification_record
from inventory import power_messages
from inventory.models import Outlet, Pdu
from inventory.pdu_driver import PduError, PduPasswordMissing, PduReading, RaritanPdu

logger = logging.getLogger(__name__)

# Tests switch this off to show two switch requests interleaving without the lease.
LEASE_ENABLED = True


def pdu_connect(*, pdu: Pdu) -> RaritanPdu:
    """A driver for `pdu`, with the password read from the environment variable the record names."""
    password = os.environ.get(pdu.password_env) if pdu.password_env else None
    if password is None:
        raise PduPasswordMissing(
            f"The password of {pdu} is not configured: set the environment variable {pdu.password_env or '(none named)'} "
            "for the web and worker processes."
        )
    return RaritanPdu(name=str(pdu), host=pdu.host, port=pdu.port, scheme=pdu.scheme, username=pdu.username,
                      password=password, verify_tls=pdu.verify_tls, timeout=settings.PDU_TIMEOUT)


# --- one switch at a time per outlet -----------------------------------------------------------


def lease_seconds() -> float:
    """Long enough for the calls of one switch (list, state, switch, read back) to time out, plus a margin."""
    return settings.PDU_TIMEOUT * 4 + 5


def outlet_lease_acquire(*, outlet: Outlet) -> str | None:
    """Reserve the outlet for one switch; None when another switch holds it. One conditional UPDATE."""
    token = secrets.token_hex(8)
    now = clock.now()
    if not LEASE_ENABLED:
        return token
    taken = Outlet.objects.filter(pk=outlet.pk).filter(
        Q(switching_until__isnull=True) | Q(switching_until__lte=now)
    ).update(switching_until=now + timedelta(seconds=lease_seconds()), switching_token=token)
    return token if taken else None


def outlet_lease_release(*, outlet: Outlet, token: str) -> None:
    Outlet.objects.filter(pk=outlet.pk, switching_token=token).update(switching_until=None, switching_token="")


# --- failures and backoff -----------------------------------------------------------------------


def pdu_backoff(failures: int) -> timedelta:
    seconds = settings.PDU_BACKOFF_SECONDS * 2 ** max(0, min(failures - 1, 30))
    return timedelta(seconds=min(seconds, settings.PDU_BACKOFF_MAX_SECONDS))


def pdu_failure_record(*, pdu: Pdu, error: PduError | str, now: datetime | None = None) -> Pdu:
    """Count a failed call, push the next try back, and announce the first failure of a run (only that one)."""
    now = now or clock.now()
    message = getattr(error, "message", str(error))[:500]
    with transaction.atomic():
        pdu = Pdu.objects.select_for_update().select_related("device").get(pk=pdu.pk)
        pdu.failures += 1
        pdu.last_error = message
        pdu.retry_at = now + pdu_backoff(pdu.failures)
        announce = not pdu.failure_reported
        pdu.failure_reported = True
        pdu.save(update_fields=["failures", "last_error", "retry_at", "failure_reported"])
        if announce:
            audit_log(actor=None, action="inventory.pdu.failing", target=pdu, data={"error": message})
            notification_record(event="pdu_failing", destination=NotificationDestination.ADMIN,
                                build=lambda: power_messages.pdu_failing(pdu=pdu, error=message, failures=pdu.failures))
    return pdu


def pdu_success_record(*, pdu: Pdu) -> None:
    """Clear the failure run; a PDU that had been reported failing is announced as answering again."""
    if not (pdu.failures or pdu.failure_reported or pdu.retry_at or pdu.last_error):
        return
    with transaction.atomic():
        pdu = Pdu.objects.select_for_update().select_related("device").get(pk=pdu.pk)
        reported = pdu.failure_reported
        Pdu.objects.filter(pk=pdu.pk).update(failures=0, retry_at=None, failure_reported=False, last_error="")
        if reported:
            audit_log(actor=None, action="inventory.pdu.recovered", target=pdu)
            notification_record(event="pdu_recovered", destination=NotificationDestination.ADMIN,
                                build=lambda: power_messages.pdu_recovered(pdu=pdu))


# --- readings -----------------------------------------------------------------------------------


def pdu_readings_store(*, pdu: Pdu, reading: PduReading, at: datetime) -> int:
    """Keep the latest readings of the PDU and of each of its outlet records. Returns outlets updated."""
    by_number = {o.number: o for o in reading.outlets}
    outlets = list(Outlet.objects.filter(pdu=pdu))
    changed = []
    for outlet in outlets:
        seen = by_number.get(outlet.number)
        if seen is None:
            continue
        outlet.state, outlet.power_w, outlet.current_a, outlet.read_at = seen.state, seen.power_w, seen.current_a, at
        changed.append(outlet)
    with transaction.atomic():
        Outlet.objects.bulk_update(changed, ["state", "power_w", "current_a", "read_at"])
        Pdu.objects.filter(pk=pdu.pk).update(active_power_w=reading.active_power_w,
                                             active_energy_wh=reading.active_energy_wh, read_at=at)
    return len(changed)


def pdu_read_now(*, pdu: Pdu, now: datetime | None = None) -> PduReading:
    """Read the PDU, store what it says, and record success or failure. Raises the PduError after recording it."""
    try:
        reading = pdu_connect(pdu=pdu).read()
    except PduError as exc:
        pdu_failure_record(pdu=pdu, error=exc, now=now)
        raise
    pdu_readings_store(pdu=pdu, reading=reading, at=now or clock.now())
    pdu_success_record(pdu=pdu)
    return reading


def pdus_due(*, now: datetime):
    """PDUs whose readings are older than POWER_POLL_SECONDS and that are not backing off."""
    stale = now - timedelta(seconds=settings.POWER_POLL_SECONDS)
    return (Pdu.objects.select_related("device")
            .filter(Q(read_at__isnull=True) | Q(read_at__lte=stale))
            .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
            .order_by("read_at", "id"))


def pdu_readings_poll(*, now: datetime | None = None) -> int:
    """The worker's job: read every PDU that is due. Returns how many PDUs answered."""
    now = now or clock.now()
    answered = 0
    for pdu in pdus_due(now=now):
        try:
            pdu_read_now(pdu=pdu, now=now)
            answered += 1
        except PduError as exc:
            logger.warning("PDU %s: %s", pdu, exc.message)
    return answered
