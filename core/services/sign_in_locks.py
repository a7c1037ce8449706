"""Sign-in locks (django-axes' failed-attempt rows): lift them."""

from axes.models import AccessAttempt
from django.db import transaction

from core.services.audit import audit_log_many


@transaction.atomic
def sign_in_locks_lift(*, attempts, actor) -> int:
    """Forget every failed sign-in of the (account, address) pairs in `attempts`: their locks end at once.

    Returns the number of pairs. A pair can have several rows (one per browser), all of which count.
    """
    pairs = sorted({(row.username, row.ip_address) for row in attempts}, key=str)
    audit_log_many(actor=actor, action="core.sign_in_lock.lifted", entries=[
        (None, {"username": username, "ip_address": ip_address}) for username, ip_address in pairs
    ])
    for username, ip_address in pairs:
        AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()
    return len(pairs)
