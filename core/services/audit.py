"""The audit helper every state change calls inside its transaction."""

from typing import Any

from django.db import models, transaction

from core import statements
from core.models import AuditEvent


def _event(*, actor, action: str, target: models.Model | None, data: dict[str, Any] | None) -> AuditEvent:
    return AuditEvent(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:200] if target is not None else "",
        data=data or {},
    )


def _require_transaction(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{name}() must be called inside the transaction of the change it records")


def audit_log(*, actor, action: str, target: models.Model | None = None, data: dict[str, Any] | None = None) -> AuditEvent:
    """Record `action` by `actor` on `target`. Must run inside the change's transaction."""
    _require_transaction("audit_log")
    event = _event(actor=actor, action=action, target=target, data=data)
    event.save(force_insert=True)
    return event


def audit_log_many(*, actor, action: str, entries: list[tuple[models.Model | None, dict[str, Any] | None]]) -> list[AuditEvent]:
    """Record `action` by `actor` on each (target, data) of `entries` with one insert (same rows as
    calling audit_log for each). Must run inside the change's transaction."""
    _require_transaction("audit_log_many")
    return statements.insert([_event(actor=actor, action=action, target=t, data=d) for t, d in entries])
