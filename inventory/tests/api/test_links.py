"""Fixed links through the API: two different ports, a port in at most one link, CSV both ways."""

import pytest

from core.models import AuditEvent
from inventory.models import Link, Port
from inventory.tests.api.routes import url
from inventory.tests.factories import DeviceFactory, PortFactory


def test_create_answers_with_both_ports_and_their_devices(manager_client):
    a, b = PortFactory(name="roadm_1_line"), PortFactory(name="edfa_1_in")
    response = manager_client.post(url("links"), {"a": a.pk, "b": b.pk, "length_km": "25.000", "loss_db": "5.20",
                                                  "notes": "25 km reel"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["a"]["name"] == "roadm_1_line"
    assert response.data["b"]["device"]["id"] == b.device_id
    assert (response.data["length_km"], response.data["loss_db"], response.data["notes"]) == ("25.000", "5.20", "25 km reel")
    assert AuditEvent.objects.filter(action="inventory.link.created").count() == 1


@pytest.mark.parametrize("side", ["a", "b"])
def test_a_port_is_in_at_most_one_link_on_either_end(manager_client, side):
    a, b, c = PortFactory(name="p_a"), PortFactory(name="p_b"), PortFactory(name="p_c")
    Link.objects.create(a=a, b=b)
    payload = {"a": c.pk, "b": b.pk} if side == "b" else {"a": b.pk, "b": c.pk}
    response = manager_client.post(url("links"), payload, format="json")
    assert response.status_code == 400, response.data
    assert "already in the link" in str(response.data)
    assert Link.objects.count() == 1


def test_a_link_never_joins_a_port_to_itself(manager_client):
    a = PortFactory()
    response = manager_client.post(url("links"), {"a": a.pk, "b": a.pk}, format="json")
    assert response.status_code == 400
    assert "two different ports" in str(response.data["b"])


def test_members_read_links_and_cannot_write(member_client):
    link = Link.objects.create(a=PortFactory(), b=PortFactory())
    assert member_client.get(url("links", link.pk)).status_code == 200
    assert member_client.post(url("links"), {"a": link.a_id, "b": PortFactory().pk}, format="json").status_code == 403


def test_list_filters_by_device_in_constant_queries(member_client, django_assert_max_num_queries):
    device = DeviceFactory()
    for _ in range(5):
        Link.objects.create(a=PortFactory(device=device), b=PortFactory())
    Link.objects.create(a=PortFactory(), b=PortFactory())
    with django_assert_max_num_queries(6):
        response = member_client.get(url("links"), {"device": device.pk})
    assert response.data["count"] == 5


def test_links_csv_round_trip_and_errors_by_line(manager_client):
    PortFactory(name="roadm_1_line"), PortFactory(name="edfa_1_in")
    PortFactory(name="roadm_2_line"), PortFactory(name="edfa_2_in")
    text = "a,b,length_km,loss_db,notes\nroadm_1_line,edfa_1_in,3,0.8,splice\nroadm_2_line,edfa_2_in,,,\n"
    response = manager_client.post(url("links", "import"), {"csv": text}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["created"] == 2
    exported = manager_client.get(url("links", "export")).content.decode()
    assert exported.splitlines()[1] == "roadm_1_line,edfa_1_in,3.000,0.80,splice"
    again = manager_client.post(url("links", "import"), {"csv": exported}, format="json")
    assert (again.data["created"], again.data["updated"], again.data["unchanged"]) == (0, 0, 2)
    bad = "a,b\nroadm_1_line,nowhere\nedfa_2_in,roadm_1_line\n"
    response = manager_client.post(url("links", "import"), {"csv": bad}, format="json")
    assert response.status_code == 400
    assert response.data["errors"][0] == "line 2: b: unknown port 'nowhere'"
    assert "line 3" in response.data["errors"][1]
    assert Link.objects.count() == 2


def test_ports_wiring_csv_sets_switches(manager_client):
    polatis = DeviceFactory(name="Polatis 1")
    PortFactory(name="tf_1")
    PortFactory(name="tf_2", switch=polatis, switch_in=2, switch_out=386)
    text = "port,switch,switch_in,switch_out\ntf_1,Polatis 1,1,385\ntf_2,,,\n"
    response = manager_client.post(url("ports", "wiring-import"), {"csv": text}, format="json")
    assert response.status_code == 200, response.data
    assert Port.objects.get(name="tf_1").switch_id == polatis.pk
    assert Port.objects.get(name="tf_2").switch_id is None
    exported = manager_client.get(url("ports", "wiring-export")).content.decode().splitlines()
    assert exported == ["port,switch,switch_in,switch_out", "tf_1,Polatis 1,1,385", "tf_2,,,"]
    bad = manager_client.post(url("ports", "wiring-import"), {"csv": "port,switch,switch_in\ntf_1,Nope,x\n"}, format="json")
    assert bad.status_code == 400
    assert bad.data["errors"] == ["line 2: switch 'Nope' is not a device", "line 2: switch_in must be a number, not 'x'"]
    assert Port.objects.get(name="tf_1").switch_in == 1


def test_an_unknown_export_format_is_a_406_naming_the_formats(manager_client):
    for name, action in (("links", "export"), ("ports", "wiring-export")):
        response = manager_client.get(url(name, action), {"format": "AAA"})
        assert response.status_code == 406
        assert response.json() == {"detail": "Unknown format 'AAA'; this endpoint answers in: csv, json."}
        assert manager_client.get(url(name, action), {"format": ""}).status_code == 406
        assert manager_client.get(url(name, action), {"format": "csv"}).status_code == 200


@pytest.mark.parametrize("text", ["a,b\r\nx\ry,z\n", "a,b\n\"unterminated,z\n", "a,\"b\nc\"\rd\n", "\"a\"x\"\r,b\n",
                                  "a,b\nx,y\n\"" + "x" * 140_000 + "\",y\n"])
def test_csv_that_breaks_is_a_400_by_line_never_a_500(manager_client, text):
    for name, action in (("links", "import"), ("ports", "wiring-import")):
        response = manager_client.post(url(name, action), {"csv": text}, format="json")
        assert response.status_code == 400, (name, text, response.content)
        assert response.data["errors"]
        assert not Link.objects.exists()


def test_a_cell_past_the_csv_field_limit_is_named_with_its_line(manager_client):
    text = "a,b\n\"" + "x" * 140_000 + "\",y\n"
    response = manager_client.post(url("links", "import"), {"csv": text}, format="json")
    assert response.status_code == 400
    assert response.data["errors"] == ["line 2: not valid CSV (field larger than field limit (131072))"]
