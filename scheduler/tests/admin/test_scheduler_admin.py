"""The scheduler admin: dashboard, bulk actions through the services, maintenance form, policy."""

import pytest
from django.contrib.messages import get_messages

from core.tests.factories import UserFactory
from scheduler.choices import BookingStatus as S
from scheduler.models import Booking, BookingPolicy, MaintenanceWindow
from scheduler.tests.conftest import at
from scheduler.tests.factories import BookingFactory, MaintenanceWindowFactory

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def staff_manager(manager):
    manager.is_staff = True
    manager.save()
    return manager


@pytest.fixture
def admin_browser(client, staff_manager):
    client.force_login(staff_manager)
    return client


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_dashboard_on_the_index(admin_browser, roadm, amp, now):
    """The index shows pending requests, conflicts, devices under maintenance and today's bookings."""
    BookingFactory(device=roadm, start=at(10), end=at(12), status=S.PENDING)
    BookingFactory(device=roadm, start=at(11), end=at(13), status=S.CONFLICTING)
    BookingFactory(device=roadm, start=at(8, day=1), end=at(12, day=1), status=S.CONFIRMED)
    MaintenanceWindowFactory(device=amp, start=at(8, day=1), end=at(18, day=1))
    response = admin_browser.get("/admin/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pending requests (1)" in html
    assert "Conflicts to arbitrate (1)" in html
    assert "Amp 1" in html
    assert "Today&#x27;s bookings (1)" in html or "Today's bookings (1)" in html


def test_dashboard_lists_confirmed_bookings_on_devices_that_cannot_be_booked(admin_browser, roadm, amp):
    """A retired device's confirmed bookings stay for a manager to handle: the dashboard points at them."""
    BookingFactory(device=roadm, start=at(10), end=at(12), status=S.CONFIRMED)
    BookingFactory(device=amp, start=at(10), end=at(12), status=S.CONFIRMED)
    roadm.status = "retired"
    roadm.save()
    html = admin_browser.get("/admin/").content.decode()
    assert "Confirmed bookings on devices that can't be booked now (1)" in html
    assert "ROADM 3</a> (retired)" in html


def test_dashboard_hidden_from_staff_members(client, member):
    """A staff user who is not a lab manager does not see the booking dashboard."""
    member.is_staff = True
    member.save()
    client.force_login(member)
    assert "scheduler-dashboard" not in client.get("/admin/").content.decode()


def test_bulk_approve_reports_refusals_and_proceeds(admin_browser, roadm, amp):
    """Bulk approve: the booking that would exceed capacity is reported with its reason; the others are approved."""
    roadm.capacity = 1
    roadm.save()
    BookingFactory(device=roadm, start=at(10), end=at(12), status=S.CONFIRMED)
    refused = BookingFactory(device=roadm, start=at(11), end=at(13), status=S.CONFLICTING)
    fine = BookingFactory(device=amp, start=at(10), end=at(12), status=S.PENDING)
    response = admin_browser.post("/admin/scheduler/booking/", {"action": "approve_bookings",
                                                                "_selected_action": [refused.pk, fine.pk]}, follow=True)
    messages = texts(response)
    assert any("already has 1 confirmed booking" in m for m in messages), messages
    assert any(m == "Approved 1 booking." for m in messages), messages
    refused.refresh_from_db()
    fine.refresh_from_db()
    assert (refused.status, fine.status) == (S.CONFLICTING, S.CONFIRMED)


def test_bulk_reject_and_cancel(admin_browser, roadm):
    """Bulk reject refuses decided bookings with a reason; bulk cancel cancels active ones."""
    pending = BookingFactory(device=roadm, start=at(10), end=at(12), status=S.PENDING)
    confirmed = BookingFactory(device=roadm, start=at(14), end=at(16), status=S.CONFIRMED)
    response = admin_browser.post("/admin/scheduler/booking/", {"action": "reject_bookings",
                                                                "_selected_action": [pending.pk, confirmed.pk]}, follow=True)
    assert any("Only pending or conflicting" in m for m in texts(response))
    response = admin_browser.post("/admin/scheduler/booking/", {"action": "cancel_bookings",
                                                                "_selected_action": [confirmed.pk]}, follow=True)
    pending.refresh_from_db()
    confirmed.refresh_from_db()
    assert (pending.status, confirmed.status) == (S.REJECTED, S.CANCELLED)


def test_session_actions(admin_browser, roadm, amp):
    """Session approve goes through booking_group_approve."""
    booking = BookingFactory(device=roadm, start=at(10), end=at(12), status=S.PENDING)
    BookingFactory(group=booking.group, device=amp, start=at(10), end=at(12), status=S.PENDING)
    admin_browser.post("/admin/scheduler/bookinggroup/", {"action": "approve_sessions",
                                                          "_selected_action": [booking.group_id]}, follow=True)
    assert set(booking.group.bookings.values_list("status", flat=True)) == {S.CONFIRMED}
    page = admin_browser.get(f"/admin/scheduler/bookinggroup/{booking.group_id}/change/")
    assert page.status_code == 200 and "Amp 1" in page.content.decode()


def test_members_cannot_run_decision_actions(client, member, roadm):
    """Staff without the decide permission get no approve action."""
    member.is_staff = True
    member.save()
    client.force_login(member)
    assert client.get("/admin/scheduler/booking/").status_code == 403


def test_booking_changelist_filters_and_queries(admin_browser, roadm, django_assert_max_num_queries):
    """The booking list renders with its filters and a bounded number of queries."""
    for i in range(30):
        BookingFactory(device=roadm, start=at(10, day=3 + i % 20), end=at(12, day=3 + i % 20), group__owner=UserFactory())
    with django_assert_max_num_queries(20):
        response = admin_browser.get("/admin/scheduler/booking/?status__exact=pending&when=upcoming&q=ROADM")
    assert response.status_code == 200
    assert admin_browser.get("/admin/scheduler/booking/?start__year=2026&start__month=12").status_code == 200
    assert admin_browser.get(f"/admin/scheduler/booking/{Booking.objects.first().pk}/change/").status_code == 200


def _window_form(device, **extra):
    return {"device": device.pk, "start_0": "2026-12-02", "start_1": "11:00:00", "end_0": "2026-12-02",
            "end_1": "15:00:00", "reason": "fibre swap", **extra}


def test_maintenance_form_refuses_over_confirmed(admin_browser, roadm, member):
    """Without the checkbox a window over confirmed bookings is refused beside the form, listing them."""
    BookingFactory(device=roadm, start=at(10), end=at(12), status=S.CONFIRMED, group__owner=member)
    response = admin_browser.post("/admin/scheduler/maintenancewindow/add/", _window_form(roadm))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 confirmed booking" in html and "member holds ROADM 3" in html
    assert not MaintenanceWindow.objects.exists()


def test_maintenance_form_cancels_when_asked(admin_browser, roadm, member):
    """With the checkbox the window is created through the service and the confirmed booking cancelled."""
    confirmed = BookingFactory(device=roadm, start=at(10), end=at(12), status=S.CONFIRMED, group__owner=member)
    pending = BookingFactory(device=roadm, start=at(13), end=at(14), status=S.PENDING)
    response = admin_browser.post("/admin/scheduler/maintenancewindow/add/", _window_form(roadm, cancel_confirmed="on"))
    assert response.status_code == 302, response.content.decode()[:2000]
    window = MaintenanceWindow.objects.get()
    assert window.created_by.username == "manager"
    confirmed.refresh_from_db()
    pending.refresh_from_db()
    assert (confirmed.status, pending.status) == (S.CANCELLED, S.REJECTED)
    assert admin_browser.get(f"/admin/scheduler/maintenancewindow/{window.pk}/change/").status_code == 200
    admin_browser.post(f"/admin/scheduler/maintenancewindow/{window.pk}/delete/", {"post": "yes"})
    assert not MaintenanceWindow.objects.exists()


def test_policy_is_a_single_row(admin_browser):
    """The policy list opens the one row; it can be neither added a second time nor deleted."""
    response = admin_browser.get("/admin/scheduler/bookingpolicy/")
    assert response.status_code == 302 and response.url.endswith("/admin/scheduler/bookingpolicy/1/change/")
    assert admin_browser.get("/admin/scheduler/bookingpolicy/add/").status_code == 403
    assert admin_browser.get("/admin/scheduler/bookingpolicy/1/delete/").status_code == 403
    page = admin_browser.get("/admin/scheduler/bookingpolicy/1/change/")
    assert page.status_code == 200
    assert BookingPolicy.objects.count() == 1


POLICY_FORM = {"slot_minutes": "30", "max_duration": "21 00:00:00", "horizon": "180 00:00:00", "past_grace": "00:05:00",
               "max_active_bookings_per_user": "", "reminder_before_start": "01:00:00", "reminder_before_end": "01:00:00",
               "approval_target": "1 00:00:00"}


@pytest.mark.parametrize(("field", "value"), [
    ("max_duration", "00:00:00"), ("max_duration", "-1 00:00:00"), ("horizon", "-5 00:00:00"),
    ("past_grace", "-00:05:00"), ("slot_minutes", "1441"), ("reminder_before_start", "-01:00:00"),
])
def test_policy_refuses_values_that_would_stop_all_bookings(admin_browser, field, value):
    """A zero or negative duration, horizon, grace or reminder (or a slot longer than a day) is refused
    beside the field instead of silently refusing every request."""
    BookingPolicy.load()
    response = admin_browser.post("/admin/scheduler/bookingpolicy/1/change/", {**POLICY_FORM, field: value})
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert BookingPolicy.load().max_duration.days == 21 and BookingPolicy.load().slot_minutes == 30


@pytest.mark.parametrize(("field", "value", "message"), [
    ("horizon", "2900000 00:00:00", "at most 3 years"),  # reached past the year 9999: every booking POST was a 500
    ("max_duration", "400 00:00:00", "at most 366 days"),
    ("past_grace", "2 00:00:00", "between zero and one day"),
    ("reminder_before_end", "30 00:00:00", "between zero and 7 days"),
    ("max_active_bookings_per_user", "0", "from 1 to 10000"),
    ("max_active_bookings_per_user", "99999999", "from 1 to 10000"),
])
def test_policy_values_are_bounded_with_a_clear_message(admin_browser, field, value, message):
    """Every policy field has a sane range; the admin says which beside the field and saves nothing."""
    BookingPolicy.load()
    response = admin_browser.post("/admin/scheduler/bookingpolicy/1/change/", {**POLICY_FORM, field: value})
    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors[field])
    assert BookingPolicy.load().horizon.days == 180


def test_a_bounded_policy_keeps_booking_and_next_slot_working(admin_browser, member_client, roadm):
    """The largest horizon allowed still leaves booking POSTs and next-slot answering (no overflow)."""
    BookingPolicy.load()
    response = admin_browser.post("/admin/scheduler/bookingpolicy/1/change/", {**POLICY_FORM, "horizon": "1096 00:00:00"})
    assert response.status_code == 302
    assert member_client.get(f"/api/scheduler/availability/next-slot/?devices={roadm.pk}&duration=60").status_code == 200


def test_policy_change_is_audited(admin_browser, staff_manager):
    """Editing the policy writes an audit event naming the changed fields."""
    from core.models import AuditEvent

    BookingPolicy.load()
    response = admin_browser.post("/admin/scheduler/bookingpolicy/1/change/", {**POLICY_FORM, "horizon": "90 00:00:00"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="scheduler.bookingpolicy.updated")
    assert (event.actor, event.data) == (staff_manager, {"fields": ["horizon"]})
