"""What the scheduler does when the inventory retires a device (or takes it out of service)."""

import pytest
from django.test import Client
from django.urls import reverse

from core.exceptions import RuleConflict
from core.models import AuditEvent
from inventory.services.devices import device_update
from inventory.tests.admin.conftest import admin_form_data
from scheduler import signals
from scheduler.choices import BookingStatus as S
from scheduler.models import Booking
from scheduler.services import booking as svc
from scheduler.tests.conftest import at, request_one
from scheduler.tests.factories import BookingFactory

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def decided():
    """The booking_decided signals sent during a test."""
    seen = []

    def receiver(signal, sender, **kwargs):
        seen.append(kwargs)

    signals.booking_decided.connect(receiver, weak=False, dispatch_uid="test-retire-decided")
    yield seen
    signals.booking_decided.disconnect(dispatch_uid="test-retire-decided")


def _world(member, other_member, roadm):
    pending = request_one(member, roadm, at(10), at(12))
    conflicting = request_one(other_member, roadm, at(11), at(13))
    confirmed = BookingFactory(device=roadm, start=at(14), end=at(16), status=S.CONFIRMED, group__owner=member)
    ended = BookingFactory(device=roadm, start=at(6, day=1), end=at(8, day=1), status=S.PENDING, group__owner=member)
    return pending, conflicting, confirmed, ended


def _statuses(*bookings):
    return [Booking.objects.get(pk=b.pk).status for b in bookings]


def test_retiring_rejects_undecided_requests_and_keeps_confirmed(member, other_member, manager, roadm, decided):
    """Retiring a device rejects its undecided requests that have not ended, with a note and a decision
    message per session; confirmed bookings stay for a lab manager; the change is audited."""
    pending, conflicting, confirmed, ended = _world(member, other_member, roadm)
    device_update(device=roadm, actor=manager, data={"status": "retired"})
    assert _statuses(pending, conflicting, confirmed, ended) == [S.REJECTED, S.REJECTED, S.CONFIRMED, S.PENDING]
    pending.refresh_from_db()
    assert pending.decided_by == manager
    assert pending.decision_note == "Rejected: ROADM 3 has been retired; please book another device."
    assert sorted(b.pk for kw in decided for b in kw["bookings"]) == sorted([pending.pk, conflicting.pk])
    assert {kw["decision"] for kw in decided} == {S.REJECTED} and len(decided) == 2
    event = AuditEvent.objects.get(action="scheduler.device.retired")
    assert event.data == {"rejected": sorted([pending.pk, conflicting.pk]), "confirmed_kept": [confirmed.pk]}
    assert AuditEvent.objects.filter(action="scheduler.booking.rejected").count() == 2


def test_retiring_through_the_api_and_the_admin(member, other_member, manager, manager_client, roadm):
    """The device API and the admin change form retire through the same path."""
    pending = request_one(member, roadm, at(10), at(12))
    response = manager_client.patch(f"/api/inventory/devices/{roadm.pk}/", {"status": "retired"}, format="json")
    assert response.status_code == 200, response.content
    assert _statuses(pending) == [S.REJECTED]

    device_update(device=roadm, actor=manager, data={"status": "available"})
    again = request_one(other_member, roadm, at(10, day=3), at(12, day=3))
    manager.is_staff = True
    manager.save()
    browser = Client()
    browser.force_login(manager)
    url = reverse("admin:inventory_device_change", args=[roadm.pk])
    data = admin_form_data(browser.get(url))
    data["status"] = "retired"
    assert browser.post(url, data).status_code == 302
    assert _statuses(again) == [S.REJECTED]


def test_other_status_changes_leave_requests_alone(member, manager, roadm):
    """Maintenance or unavailable status is often temporary: requests stay, but none can be approved,
    requested or extended while it lasts."""
    pending = request_one(member, roadm, at(10), at(12))
    device_update(device=roadm, actor=manager, data={"status": "maintenance"})
    assert _statuses(pending) == [S.PENDING]
    assert not AuditEvent.objects.filter(action="scheduler.device.retired").exists()
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_approve(booking=pending, actor=manager)
    assert excinfo.value.conflicts[0]["reason"] == "unavailable"
    with pytest.raises(RuleConflict) as excinfo:
        svc.booking_extend(booking=pending, actor=member, end=at(13))
    assert excinfo.value.conflicts[0]["reason"] == "unavailable"
    with pytest.raises(RuleConflict) as excinfo:
        request_one(member, roadm, at(14), at(16))
    assert excinfo.value.conflicts[0]["reason"] == "unavailable"


def test_retiring_a_device_without_bookings_records_nothing_extra(manager, roadm):
    """No bookings, no scheduler audit event."""
    device_update(device=roadm, actor=manager, data={"status": "retired"})
    assert not AuditEvent.objects.filter(action="scheduler.device.retired").exists()
