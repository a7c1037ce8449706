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


def test_joining_lab_managers_grants_admin_access(groups):
    """A lab manager works in the admin, which needs staff status; members don't get it."""
    from core.roles import LAB_MANAGERS, LAB_MEMBERS
    from core.tests.factories import UserFactory

    manager, member, other = UserFactory(), UserFactory(), UserFactory()
    manager.groups.add(groups[LAB_MANAGERS])
    member.groups.add(groups[LAB_MEMBERS])
    groups[LAB_MANAGERS].user_set.add(other)
    manager.refresh_from_db(), member.refresh_from_db(), other.refresh_from_db()
    assert (manager.is_staff, member.is_staff, other.is_staff) == (True, False, True)
