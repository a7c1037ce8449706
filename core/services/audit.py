"""The audit helper every state change calls inside its transaction."""

from typing import Any

from django.db import models, transaction

from core.models import AuditEvent


def audit_log(*, actor, action: str, target: models.Model | None = None, data: dict[str, Any] | None = None) -> AuditEvent:
    """Record `action` by `actor` on `target`. Must run inside the change's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log() must be called inside the transaction of the change it records")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=data or {},
    )
