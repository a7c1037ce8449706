"""Roles (Approvers, Viewers, Lab managers, members) against every insight admin page, export and booking
write; exports are audited; nobody but a superuser grants themselves a higher role."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from core.models import AuditEvent
from core.roles import APPROVERS, LAB_MANAGERS, LAB_MEMBERS, VIEWERS
from core.tests.factories import UserFactory
from scheduler.services.booking import booking_approve, booking_cancel
from scheduler.services.maintenance import maintenance_window_create
from scheduler.tests.insight.lab import build_day_lab, utc

pytestmark = pytest.mark.django_db

REPORTS = "/admin/scheduler/booking/reports/?first_day=2026-12-01&last_day=2026-12-03"
URLS = {
    "reports": REPORTS,
    "report_csv": REPORTS + "&csv=types",
    "bookings_csv": "/admin/scheduler/booking/export/",
    "audit_csv": "/admin/core/auditevent/export/",
    "booking_list": "/admin/scheduler/booking/",
    "audit_list": "/admin/core/auditevent/",
    "admin_index": "/admin/",
}
# role → the URLs it may open (200); every other one is refused (403, or the admin's login redirect).
ALLOWED = {
    LAB_MANAGERS: set(URLS),
    VIEWERS: {"reports", "booking_list", "audit_list", "admin_index"},
    APPROVERS: {"booking_list", "admin_index"},
    LAB_MEMBERS: set(),
}


def user_in(role, groups):
    user = UserFactory(username=f"u-{role.split()[0].lower()}")
    user.groups.add(groups[role])
    user.refresh_from_db()
    return user


@pytest.mark.parametrize("role", list(ALLOWED))
def test_admin_pages_and_exports_by_role(groups, role):
    build_day_lab()
    client = Client()
    client.force_login(user_in(role, groups))
    for name, url in URLS.items():
        status = client.get(url).status_code
        assert (status == 200) == (name in ALLOWED[role]), (role, name, status)
        assert status in (200, 302, 403), (role, name, status)


@pytest.mark.parametrize(("role", "decide", "cancel_others", "maintenance"), [
    (LAB_MANAGERS, True, True, True), (APPROVERS, True, False, False), (VIEWERS, False, False, False),
    (LAB_MEMBERS, False, False, False),
])
def test_booking_writes_by_role(groups, role, decide, cancel_others, maintenance):
    """Approvers decide and nothing else; Viewers and members change nothing of others'."""
    from core import clock
    from core.exceptions import ApplicationError
    from scheduler.tests.conftest import request_one

    actor = user_in(role, groups)
    with clock.frozen(utc(1, 9)):
        roadm, osa1, _ = build_day_lab()
        owner = UserFactory(username="owner")
        pending = request_one(owner, roadm, utc(5, 7), utc(5, 12))
        other = request_one(owner, osa1, utc(6, 7), utc(6, 12))
        outcomes = {}
        for name, call in (("decide", lambda: booking_approve(booking=pending, actor=actor)),
                           ("cancel_others", lambda: booking_cancel(booking=other, actor=actor)),
                           ("maintenance", lambda: maintenance_window_create(actor=actor, device=osa1, start=utc(9, 7),
                                                                             end=utc(9, 12)))):
            try:
                call()
                outcomes[name] = True
            except ApplicationError:
                outcomes[name] = False
    assert outcomes == {"decide": decide, "cancel_others": cancel_others, "maintenance": maintenance}


def test_exports_are_audited(groups):
    manager = user_in(LAB_MANAGERS, groups)
    build_day_lab()
    client = Client()
    client.force_login(manager)
    response = client.get("/admin/scheduler/booking/export/?status__exact=confirmed")
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("id,session,owner,device") and len(lines) == 1 + 4
    client.get(REPORTS + "&csv=users")
    client.get("/admin/core/auditevent/export/")
    events = list(AuditEvent.objects.order_by("id").values_list("action", "actor__username", "data__rows"))
    assert events == [("scheduler.bookings.exported", manager.username, 4), ("scheduler.report.exported", manager.username, 6),
                      ("core.auditevent.exported", manager.username, 2)]


def test_report_csv_matches_the_page_figures(groups):
    """The CSV and the page show the same utilization figures (ROADM: 10 of 144 h over 3 days, see lab.py)."""
    client = Client()
    client.force_login(user_in(LAB_MANAGERS, groups))
    build_day_lab()
    page = client.get(REPORTS).content.decode()
    csv_text = client.get(REPORTS + "&csv=types").content.decode()
    assert "ROADM,1,144,10,4,6.9,2.8" in csv_text
    assert "<td>ROADM</td><td>1</td><td>144</td><td>10</td><td>4</td><td>6.9</td><td>2.8</td>" in page


@pytest.mark.parametrize("field", ["groups", "is_superuser", "user_permissions", "is_staff"])
def test_nobody_but_a_superuser_promotes_themselves(groups, field):
    """A manager allowed to edit users cannot change their own role fields (nor make anyone superuser)."""
    from django.contrib.auth.models import Permission

    manager = user_in(LAB_MANAGERS, groups)
    manager.user_permissions.add(*Permission.objects.filter(codename__in=["change_user", "view_user"]))
    client = Client()
    client.force_login(manager)
    form = client.get(f"/admin/core/user/{manager.pk}/change/").context["adminform"].form
    assert field not in form.fields
    other = UserFactory(username="someone")
    other_form = client.get(f"/admin/core/user/{other.pk}/change/").context["adminform"].form
    assert "is_superuser" not in other_form.fields
    boss = UserFactory(username="boss", is_superuser=True, is_staff=True)
    client.force_login(boss)
    assert "groups" in client.get(f"/admin/core/user/{boss.pk}/change/").context["adminform"].form.fields


def test_init_db_creates_the_four_roles(groups):
    assert {g.name for g in Group.objects.all()} >= {LAB_MANAGERS, LAB_MEMBERS, APPROVERS, VIEWERS}
    approvers = set(Group.objects.get(name=APPROVERS).permissions.values_list("codename", flat=True))
    assert "decide_booking" in approvers and not any(c.startswith(("change_", "add_", "delete_")) for c in approvers)
    viewers = set(Group.objects.get(name=VIEWERS).permissions.values_list("codename", flat=True))
    assert "view_reports" in viewers and all(c.startswith("view_") for c in viewers)
