"""Who may do what: every admin action, export and API write against each role.

Each case runs against a fresh lab and reports whether the change (or the download) happened; the
expected set of roles is the contract ("Approvers" decide and nothing else, "Viewers" change
nothing and export only the device list, "Lab managers" do everything, members only their own
bookings; revoking someone else's API token is left to superusers).
"""

from datetime import timedelta

import pytest
from django.test import Client
from rest_framework.test import APIClient

from core import clock
from core.models import ApiToken, AuditEvent, Notification
from core.roles import APPROVERS, LAB_MANAGERS, LAB_MEMBERS, VIEWERS
from core.services.tokens import token_create
from core.tests.factories import UserFactory
from inventory.models import Device, DeviceType, Manufacturer, Port, Site, Tag
from scheduler.models import Booking, BookingPolicy, MaintenanceWindow
from scheduler.tests.conftest import request_one
from scheduler.tests.insight.lab import device, utc

pytestmark = pytest.mark.django_db
ROLES = (LAB_MANAGERS, APPROVERS, VIEWERS, LAB_MEMBERS)
NOW = utc(1, 9)


@pytest.fixture
def world(groups):
    with clock.frozen(NOW):
        roadm = device("ROADM 1", "ROADM", 2)
        owner = UserFactory(username="owner")
        owner.groups.add(groups[LAB_MEMBERS])
        booking = request_one(owner, roadm, utc(5, 7), utc(5, 12))
        confirmed = request_one(owner, roadm, utc(6, 7), utc(6, 12))
        Booking.objects.filter(pk=confirmed.pk).update(status="confirmed")
        window = MaintenanceWindow.objects.create(device=roadm, start=utc(20, 7), end=utc(20, 12))
        failed = Notification.objects.create(event="x", destination="admin", payload={}, status="failed")
        BookingPolicy.load()
        token, _ = token_create(user=owner, name="scripts")
        tag = Tag.objects.create(name="old-tag")
    return {"roadm": roadm, "booking": booking, "confirmed": confirmed, "window": window, "failed": failed,
            "group": booking.group, "confirmed_group": confirmed.group, "token": token, "tag": tag}


def status_of(booking):
    return Booking.objects.get(pk=booking.pk).status


def admin_action(model, action, pk):
    def run(client, api, w):
        client.post(f"/admin/{model}/", {"action": action, "_selected_action": [pk(w)]})
    return run


def api_post(url, data=None, method="post"):
    def run(client, api, w):
        getattr(api, method)(url(w), data(w) if callable(data) else (data or {}), format="json")
    return run


CASES = {
    # name: (do it, did it happen?, roles allowed)
    "admin approve booking": (admin_action("scheduler/booking", "approve_bookings", lambda w: w["booking"].pk),
                              lambda w: status_of(w["booking"]) == "confirmed", {LAB_MANAGERS, APPROVERS}),
    "admin reject booking": (admin_action("scheduler/booking", "reject_bookings", lambda w: w["booking"].pk),
                             lambda w: status_of(w["booking"]) == "rejected", {LAB_MANAGERS, APPROVERS}),
    "admin cancel booking": (admin_action("scheduler/booking", "cancel_bookings", lambda w: w["confirmed"].pk),
                             lambda w: status_of(w["confirmed"]) == "cancelled", {LAB_MANAGERS}),
    "admin approve session": (admin_action("scheduler/bookinggroup", "approve_sessions", lambda w: w["group"].pk),
                              lambda w: status_of(w["booking"]) == "confirmed", {LAB_MANAGERS, APPROVERS}),
    "admin reject session": (admin_action("scheduler/bookinggroup", "reject_sessions", lambda w: w["group"].pk),
                             lambda w: status_of(w["booking"]) == "rejected", {LAB_MANAGERS, APPROVERS}),
    "admin cancel session": (admin_action("scheduler/bookinggroup", "cancel_sessions", lambda w: w["group"].pk),
                             lambda w: status_of(w["booking"]) == "cancelled", {LAB_MANAGERS}),
    "admin retry notification": (admin_action("core/notification", "retry", lambda w: w["failed"].pk),
                                 lambda w: Notification.objects.get(pk=w["failed"].pk).status != "failed", {LAB_MANAGERS}),
    "admin export devices": (admin_action("inventory/device", "export_csv", lambda w: w["roadm"].pk),
                             lambda w: AuditEvent.objects.filter(action="inventory.devices.exported").exists(),
                             {LAB_MANAGERS, VIEWERS}),
    "admin delete maintenance": (lambda c, a, w: c.post(f"/admin/scheduler/maintenancewindow/{w['window'].pk}/delete/",
                                                        {"post": "yes"}),
                                 lambda w: not MaintenanceWindow.objects.filter(pk=w["window"].pk).exists(), {LAB_MANAGERS}),
    "admin change policy": (lambda c, a, w: c.post("/admin/scheduler/bookingpolicy/1/change/", {
        "slot_minutes": "60", "max_duration": "21 00:00:00", "horizon": "180 00:00:00", "past_grace": "00:05:00",
        "max_active_bookings_per_user": "", "reminder_before_start": "01:00:00", "reminder_before_end": "01:00:00",
        "approval_target": "1 00:00:00"}), lambda w: BookingPolicy.load().slot_minutes == 60, {LAB_MANAGERS}),
    "export bookings": (lambda c, a, w: c.get("/admin/scheduler/booking/export/"),
                        lambda w: AuditEvent.objects.filter(action="scheduler.bookings.exported").exists(), {LAB_MANAGERS}),
    "export report": (lambda c, a, w: c.get("/admin/scheduler/booking/reports/?first_day=2026-12-01&last_day=2026-12-02&csv=users"),
                      lambda w: AuditEvent.objects.filter(action="scheduler.report.exported").exists(), {LAB_MANAGERS}),
    "export audit log": (lambda c, a, w: c.get("/admin/core/auditevent/export/"),
                         lambda w: AuditEvent.objects.filter(action="core.auditevent.exported").exists(), {LAB_MANAGERS}),
    "api approve": (api_post(lambda w: f"/api/scheduler/bookings/{w['booking'].pk}/approve/"),
                    lambda w: status_of(w["booking"]) == "confirmed", {LAB_MANAGERS, APPROVERS}),
    "api reject": (api_post(lambda w: f"/api/scheduler/bookings/{w['booking'].pk}/reject/"),
                   lambda w: status_of(w["booking"]) == "rejected", {LAB_MANAGERS, APPROVERS}),
    "api cancel another's booking": (api_post(lambda w: f"/api/scheduler/bookings/{w['confirmed'].pk}/cancel/"),
                                     lambda w: status_of(w["confirmed"]) == "cancelled", {LAB_MANAGERS}),
    "api create maintenance": (api_post(lambda w: "/api/scheduler/maintenance-windows/", lambda w: {
        "device": w["roadm"].pk, "start": "2026-12-24T07:00:00Z", "end": "2026-12-24T12:00:00Z", "reason": "x"}),
        lambda w: MaintenanceWindow.objects.count() == 2, {LAB_MANAGERS}),
    "api delete maintenance": (api_post(lambda w: f"/api/scheduler/maintenance-windows/{w['window'].pk}/", method="delete"),
                               lambda w: not MaintenanceWindow.objects.filter(pk=w["window"].pk).exists(), {LAB_MANAGERS}),
    "api create tag": (api_post(lambda w: "/api/inventory/tags/", {"name": "new-tag", "color": "#123456"}),
                       lambda w: Tag.objects.filter(name="new-tag").exists(), {LAB_MANAGERS}),
    "api approve session": (api_post(lambda w: f"/api/scheduler/booking-groups/{w['group'].pk}/approve/"),
                            lambda w: status_of(w["booking"]) == "confirmed", {LAB_MANAGERS, APPROVERS}),
    "api reject session": (api_post(lambda w: f"/api/scheduler/booking-groups/{w['group'].pk}/reject/"),
                           lambda w: status_of(w["booking"]) == "rejected", {LAB_MANAGERS, APPROVERS}),
    "api cancel another's session": (api_post(lambda w: f"/api/scheduler/booking-groups/{w['confirmed_group'].pk}/cancel/"),
                                     lambda w: status_of(w["confirmed"]) == "cancelled", {LAB_MANAGERS}),
    "api create device type": (api_post(lambda w: "/api/inventory/device-types/", {"name": "Polarimeter"}),
                               lambda w: DeviceType.objects.filter(name="Polarimeter").exists(), {LAB_MANAGERS}),
    "api create site": (api_post(lambda w: "/api/inventory/sites/", {"name": "Annex 2"}),
                        lambda w: Site.objects.filter(name="Annex 2").exists(), {LAB_MANAGERS}),
    "api create manufacturer": (api_post(lambda w: "/api/inventory/manufacturers/", {"name": "Adva"}),
                                lambda w: Manufacturer.objects.filter(name="Adva").exists(), {LAB_MANAGERS}),
    "api create port": (api_post(lambda w: "/api/inventory/ports/", lambda w: {"device": w["roadm"].pk, "name": "roadm_1_p9"}),
                        lambda w: Port.objects.filter(name="roadm_1_p9").exists(), {LAB_MANAGERS}),
    "api delete tag": (api_post(lambda w: f"/api/inventory/tags/{w['tag'].pk}/", method="delete"),
                       lambda w: not Tag.objects.filter(pk=w["tag"].pk).exists(), {LAB_MANAGERS}),
    "admin revoke another's token": (admin_action("core/apitoken", "revoke_tokens", lambda w: w["token"].pk),
                                     lambda w: ApiToken.objects.get(pk=w["token"].pk).revoked_at is not None, set()),
    "api rename device": (api_post(lambda w: f"/api/inventory/devices/{w['roadm'].pk}/", {"name": "Renamed"}, method="patch"),
                          lambda w: Device.objects.get(pk=w["roadm"].pk).name == "Renamed", {LAB_MANAGERS}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(CASES))
def test_permission_matrix(world, groups, case, role):
    run, happened, allowed = CASES[case]
    user = UserFactory(username=f"actor-{role.split()[0].lower()}")
    user.groups.add(groups[role])
    client, api = Client(), APIClient()
    client.force_login(user)
    api.force_authenticate(user)
    with clock.frozen(NOW + timedelta(minutes=1)):
        run(client, api, world)
    assert happened(world) == (role in allowed), (case, role)
