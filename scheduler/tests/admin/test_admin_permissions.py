"""Admin actions check the permission on the server: a forged action POST without it changes nothing."""

import pytest
from django.contrib.auth.models import Permission

from scheduler.models import Booking, BookingGroup
from scheduler.tests.factories import BookingFactory, BookingGroupFactory

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def staff_viewer(client, member):
    """Staff who may view and change bookings in the admin but not decide them."""
    member.is_staff = True
    member.save()
    member.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="scheduler", codename__in=["view_booking", "change_booking", "view_bookinggroup",
                                                           "change_bookinggroup"]))
    client.force_login(member)
    return client


@pytest.mark.parametrize("action", ["approve_bookings", "reject_bookings", "cancel_bookings"])
def test_booking_decisions_need_the_decide_permission(staff_viewer, roadm, action):
    """Approve/reject/cancel are not offered, and posting them anyway leaves the booking pending."""
    booking = BookingFactory(device=roadm, status="pending")
    response = staff_viewer.get("/admin/scheduler/booking/")
    assert response.status_code == 200  # the changelist is open to them
    assert action not in response.content.decode()
    staff_viewer.post("/admin/scheduler/booking/", {"action": action, "_selected_action": [booking.pk]})
    booking.refresh_from_db()
    assert booking.status == "pending" and booking.decided_by is None


@pytest.mark.parametrize("action", ["approve_sessions", "reject_sessions", "cancel_sessions"])
def test_session_decisions_need_the_decide_permission(staff_viewer, roadm, action):
    group = BookingGroupFactory()
    BookingFactory(group=group, device=roadm, status="pending")
    assert staff_viewer.get("/admin/scheduler/bookinggroup/").status_code == 200
    staff_viewer.post("/admin/scheduler/bookinggroup/", {"action": action, "_selected_action": [group.pk]})
    assert list(Booking.objects.filter(group=group).values_list("status", flat=True)) == ["pending"]
    assert BookingGroup.objects.count() == 1
