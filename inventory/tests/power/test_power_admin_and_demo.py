"""The admin's PDU and outlet pages (inlines, state column, "Read state now") and the demo PDUs."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from core.tests.factories import UserFactory
from inventory.models import Outlet, Pdu
from inventory.services.demo_power import DEMO_PDU_PASSWORD_ENV
from inventory.tests.factories import OutletFactory
from inventory.tests.power_fixtures import PASSWORD


@pytest.fixture
def admin_client(manager):
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(manager)
    return client


def test_pdu_change_page_has_outlet_inlines_with_state_and_no_password_field(admin_client, sim_pdu):
    OutletFactory(pdu=sim_pdu, number=1, name="psu a")
    html = admin_client.get(f"/admin/inventory/pdu/{sim_pdu.pk}/change/").content.decode()
    assert "outlets-0-number" in html and "psu a" in html
    assert 'name="password_env"' in html
    assert 'name="password"' not in html and PASSWORD not in html


def test_outlet_list_has_a_state_column_and_read_state_now_reads_the_pdu(admin_client, sim_pdu, pdu_sim):
    outlet = OutletFactory(pdu=sim_pdu, number=2)
    pdu_sim.pdu.on[1] = True
    html = admin_client.get("/admin/inventory/outlet/").content.decode()
    assert "? unknown" in html
    response = admin_client.post("/admin/inventory/outlet/", {"action": "read_state_now", "_selected_action": [outlet.pk]},
                                 follow=True)
    assert f"Read {sim_pdu} (1/16 on)" in response.content.decode()
    outlet.refresh_from_db()
    assert (outlet.state, outlet.power_w) == ("on", 54.0)
    assert "● on" in admin_client.get("/admin/inventory/outlet/").content.decode()


def test_read_state_now_reports_a_failing_pdu(admin_client, sim_pdu, pdu_sim):
    pdu_sim.pdu.fault = "error"
    response = admin_client.post("/admin/inventory/pdu/", {"action": "read_state_now", "_selected_action": [sim_pdu.pk]},
                                 follow=True)
    assert "answered HTTP 500" in response.content.decode()


@pytest.mark.django_db
def test_init_db_demo_adds_two_pdus_with_sixteen_outlets_wired_to_demo_devices():
    call_command("init_db", "--demo", stdout=StringIO())
    pdus = list(Pdu.objects.select_related("device").order_by("port"))
    assert [(p.device.name, p.host, p.port, p.password_env) for p in pdus] == [
        ("PDU 1", "127.0.0.1", 8021, DEMO_PDU_PASSWORD_ENV), ("PDU 2", "127.0.0.1", 8022, DEMO_PDU_PASSWORD_ENV)]
    for pdu in pdus:
        outlets = list(pdu.outlets.order_by("number"))
        assert [o.number for o in outlets] == list(range(1, 17))
        assert all(o.device_id for o in outlets)
    assert set(Outlet.objects.values_list("mode", flat=True)) == {"always_on", "booking", "manual"}
    out = StringIO()
    call_command("init_db", "--demo", stdout=out)
    assert Outlet.objects.count() == 32 and "Nothing changed" in out.getvalue()


def test_member_cannot_see_pdus_in_the_admin(db):
    client = Client()
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/inventory/pdu/").status_code == 403
