import pytest

from core import clock
from core.services.audit import audit_log


def test_audit_log_refuses_to_run_outside_a_transaction(db, transactional_db):
    """An audit event written outside the change's transaction could outlive a rolled-back change."""
    with pytest.raises(RuntimeError):
        audit_log(actor=None, action="core.test")


def test_clock_can_be_frozen():
    from datetime import UTC, datetime

    at = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    with clock.frozen(at):
        assert clock.now() == at
    assert clock.now() != at
