"""May the caller use these Polatis ports now?"""

from datetime import UTC, datetime

import pytest

from core import clock
from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, PortFactory
from scheduler.selectors.access import access_check
from scheduler.tests.factories import BookingFactory, BookingGroupFactory, MaintenanceWindowFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def lab():
    tf, roadm = DeviceFactory(name="tf-1"), DeviceFactory(name="roadm-10")
    PortFactory(device=tf, name="tf_1")
    PortFactory(device=roadm, name="roadm_10_p2")
    PortFactory(device=roadm, name="roadm_10_line")
    return {"tf": tf, "roadm": roadm}


def _hold(device, owner, status="confirmed", start=datetime(2026, 6, 1, 10, tzinfo=UTC), end=datetime(2026, 6, 1, 14, tzinfo=UTC)):
    return BookingFactory(device=device, group=BookingGroupFactory(owner=owner), start=start, end=end, status=status)


def _check(user, **kwargs):
    with clock.frozen(NOON):
        return access_check(user=user, **kwargs)


def test_unbooked_ports_are_usable(lab, member):
    result = _check(member, patches=[["tf_1", "roadm_10_p2"]])
    assert result.allowed is True
    assert [(p.port, p.device.name, p.holders, p.usable) for p in result.ports] == [
        ("tf_1", "tf-1", [], True),
        ("roadm_10_p2", "roadm-10", [], True),
    ]
    assert result.at == NOON


def test_own_confirmed_booking_allows(lab, member):
    _hold(lab["tf"], member)
    result = _check(member, ports=["tf_1"])
    assert result.allowed is True
    assert result.ports[0].holders == ["member"]


def test_collaborator_is_allowed(lab, member, other_member):
    booking = _hold(lab["tf"], other_member)
    booking.group.collaborators.add(member)
    assert _check(member, ports=["tf_1"]).allowed is True


def test_someone_elses_confirmed_booking_blocks(lab, member, other_member):
    _hold(lab["roadm"], other_member)
    result = _check(member, patches=[["tf_1", "roadm_10_p2"]])
    assert result.allowed is False
    assert [(p.port, p.usable, p.holders) for p in result.ports] == [("tf_1", True, []), ("roadm_10_p2", False, ["other"])]


def test_shared_device_usable_when_one_holder_is_the_caller(lab, member, other_member):
    """Capacity 2: another user and the caller both hold the device; the caller may use it."""
    _hold(lab["tf"], other_member)
    _hold(lab["tf"], member)
    result = _check(member, ports=["tf_1"])
    assert result.allowed is True
    assert result.ports[0].holders == ["other", "member"]


@pytest.mark.parametrize("status", ["pending", "conflicting", "cancelled", "rejected", "expired"])
def test_only_confirmed_bookings_hold(lab, member, other_member, status):
    _hold(lab["tf"], other_member, status=status)
    assert _check(member, ports=["tf_1"]).allowed is True


def test_unknown_labels_refuse_and_null_is_ignored(lab, member):
    result = _check(member, patches=[["tf_1", "NULL"], ["null", "nope_9"]], ports=["Null", "other_x"])
    assert result.allowed is False
    assert result.unknown == ["nope_9", "other_x"]
    assert [p.port for p in result.ports] == ["tf_1"]


def test_labels_match_in_any_case_and_once(lab, member):
    result = _check(member, ports=["TF_1", "tf_1", "Roadm_10_P2"])
    assert result.allowed is True
    assert result.unknown == []
    assert [p.port for p in result.ports] == ["tf_1", "roadm_10_p2"]


def test_at_chooses_the_moment(lab, member, other_member):
    """The booking [10:00, 14:00) covers 10:00 and 13:59, not 14:00 nor 09:59."""
    _hold(lab["tf"], other_member)
    def allowed(hour, minute=0):
        return _check(member, ports=["tf_1"], at=datetime(2026, 6, 1, hour, minute, tzinfo=UTC)).allowed
    assert [allowed(9, 59), allowed(10), allowed(13, 59), allowed(14)] == [True, False, False, True]


def test_constant_queries(lab, member, django_assert_max_num_queries):
    owner = UserFactory()
    _hold(lab["tf"], owner)
    _hold(lab["roadm"], owner)
    MaintenanceWindowFactory(device=lab["roadm"], start=datetime(2026, 6, 2, 8, tzinfo=UTC), end=datetime(2026, 6, 2, 9, tzinfo=UTC))
    with django_assert_max_num_queries(5):  # ports, bookings, maintenance, port reservations, collaborators
        _check(member, patches=[["tf_1", "roadm_10_p2", "roadm_10_line"]])


def _window(device, start_hour, end_hour, reason="OTDR calibration"):
    return MaintenanceWindowFactory(device=device, start=datetime(2026, 6, 1, start_hour, tzinfo=UTC),
                                    end=datetime(2026, 6, 1, end_hour, tzinfo=UTC), reason=reason)


def test_maintenance_refuses_the_ports_to_members_and_says_until_when(lab, member):
    """During a maintenance window nobody but a lab manager may use the device's ports, even the holder
    of a confirmed booking; the answer says until when (lab time) and why."""
    _hold(lab["roadm"], member)
    _window(lab["roadm"], 11, 15)
    result = _check(member, patches=[["tf_1", "roadm_10_p2"]])
    assert result.allowed is False
    tf, roadm = result.ports
    assert (tf.usable, tf.reason, tf.maintenance_until) == (True, "", None)
    assert (roadm.usable, roadm.maintenance_until) == (False, datetime(2026, 6, 1, 15, tzinfo=UTC))
    assert roadm.reason == "maintenance until 16:00 on 1 Jun 2026 (Europe/Dublin): OTDR calibration"


def test_lab_managers_may_use_ports_under_maintenance(lab, manager):
    _window(lab["roadm"], 11, 15, reason="")
    result = _check(manager, ports=["roadm_10_p2", "roadm_10_line"])
    assert result.allowed is True
    assert [(p.usable, p.reason, p.maintenance_until) for p in result.ports] == [
        (True, "", datetime(2026, 6, 1, 15, tzinfo=UTC))] * 2


def test_maintenance_that_has_not_started_or_has_ended_does_not_block(lab, member):
    """Windows are [start, end): one from 12:30 and one ending at noon leave the port usable at noon."""
    _window(lab["roadm"], 8, 12)
    MaintenanceWindowFactory(device=lab["roadm"], start=datetime(2026, 6, 1, 12, 30, tzinfo=UTC),
                             end=datetime(2026, 6, 1, 13, tzinfo=UTC))
    assert _check(member, ports=["roadm_10_p2"]).allowed is True
    assert _check(member, ports=["roadm_10_p2"], at=datetime(2026, 6, 1, 12, 30, tzinfo=UTC)).allowed is False


def test_back_to_back_windows_report_the_end_of_the_whole_maintenance(lab, member):
    _window(lab["roadm"], 10, 13, reason="")
    _window(lab["roadm"], 13, 17, reason="second part")
    (port,) = _check(member, ports=["roadm_10_p2"]).ports
    assert port.maintenance_until == datetime(2026, 6, 1, 17, tzinfo=UTC)
    assert port.reason == "maintenance until 18:00 on 1 Jun 2026 (Europe/Dublin)"


def test_a_port_held_by_someone_else_says_by_whom(lab, member, other_member):
    _hold(lab["roadm"], other_member)
    (port,) = _check(member, ports=["roadm_10_p2"]).ports
    assert (port.usable, port.reason) == (False, "held by other")
