import csv
import io

import pytest

from core.models import AuditEvent
from inventory.models import Device, DeviceHistory, Manufacturer, Port, Site, Tag
from inventory.services.csv_export import devices_export_csv
from inventory.services.csv_import import devices_import_csv
from inventory.services.devices import device_create
from inventory.tests.factories import DeviceTypeFactory, ManufacturerFactory, PortFactory, SiteFactory, TagFactory

HEADER = "name,device_type,manufacturer,model,serial_number,oi_id,status,site,rack,u_position,hostname,mgmt_ip,owner_group,notes,capacity,tags,ports\n"
GOOD = HEADER + (
    "ROADM 1,ROADM,Lumentum,ROADM-20,LUM-1,OI-DEV-000001,available,Main lab,A01,1,roadm-1.lab,10.0.0.1,OpenIreland,,,c-band;testbed-core,roadm_1_p1:1:385;roadm_1_line:2:386\n"
    "TeraFlex 1,TeraFlex,Adva,FSP 3000,ADV-1,OI-DEV-000002,maintenance,Annex lab,B01,7,tf-1.lab,2001:db8::1,,\"line one\nline two\",3,400G,tf_1:3:387\n"
    "Reel 1,Fiber,,SMF-28,,,,,,,,,,,,,reel_1::\n"
)


@pytest.fixture
def types(db):
    return {name: DeviceTypeFactory(name=name, has_ports=True) for name in ("ROADM", "TeraFlex", "Fiber")}


def _state():
    """Everything an import may touch, to show that nothing changed."""
    return (
        list(Device.objects.order_by("pk").values_list()),
        list(Port.objects.order_by("pk").values_list()),
        list(Device.tags.through.objects.order_by("pk").values_list()),
        DeviceHistory.objects.count(), Tag.objects.count(), Manufacturer.objects.count(), Site.objects.count(),
    )


def test_good_file_creates_devices_with_everything(types, member):
    """A good file creates devices, their ports and tags, and the missing manufacturers, sites and tags."""
    result = devices_import_csv(text=GOOD, actor=member)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    tf = Device.objects.get(name="TeraFlex 1")
    assert (tf.status, tf.site.name, tf.u_position, tf.mgmt_ip, tf.capacity, tf.notes) == (
        "maintenance", "Annex lab", 7, "2001:db8::1", 3, "line one\nline two")
    assert sorted(Port.objects.values_list("name", "switch_in", "switch_out")) == [
        ("reel_1", None, None), ("roadm_1_line", 2, 386), ("roadm_1_p1", 1, 385), ("tf_1", 3, 387)]
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["400G", "c-band", "testbed-core"]
    reel = Device.objects.get(name="Reel 1")
    assert (reel.status, reel.manufacturer, reel.site) == ("available", None, None)
    assert DeviceHistory.objects.filter(action="created", actor=member).count() == 3
    assert AuditEvent.objects.filter(action="inventory.devices.imported").get().data == {"created": 3, "updated": 0, "unchanged": 0}


def test_second_import_of_the_same_file_changes_nothing(types, member):
    """Importing a file twice: the second run matches every row and writes nothing."""
    assert devices_import_csv(text=GOOD, actor=member).ok
    before = _state()
    result = devices_import_csv(text=GOOD, actor=member)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert _state() == before
    assert result.summary() == "Imported 3 device(s): 0 created, 0 updated, 3 unchanged."


def test_export_then_import_changes_nothing(types, member):
    """Round trip: exporting the inventory and importing the file changes no row."""
    device = device_create(actor=member, data={
        "name": "ROADM 7", "device_type": types["ROADM"], "manufacturer": ManufacturerFactory(name="Ciena"),
        "site": SiteFactory(name="Main lab"), "serial_number": "S7", "mgmt_ip": "10.1.1.7", "u_position": 0,
        "notes": 'with "quotes", commas\nand lines', "tags": [TagFactory(name="c-band"), TagFactory(name="l-band")]})
    PortFactory(device=device, name="Roadm_7_P1", switch_in=70, switch_out=None, description="kept")
    device_create(actor=member, data={"name": "Reel 2", "device_type": types["Fiber"]})  # no oi_id, no serial
    text = devices_export_csv()
    before = _state()
    result = devices_import_csv(text=text, actor=member)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2), result.errors
    assert _state() == before


def test_import_updates_matching_device_with_history(types, member):
    """A row matched by asset id updates only what differs, one history row per changed field."""
    devices_import_csv(text=GOOD, actor=member)
    changed = GOOD.replace("ROADM 1,ROADM,Lumentum,ROADM-20,LUM-1,OI-DEV-000001,available,Main lab,A01",
                           "ROADM 1b,ROADM,Lumentum,ROADM-20,LUM-1,OI-DEV-000001,available,Main lab,A05")
    changed = changed.replace("c-band;testbed-core,roadm_1_p1:1:385;roadm_1_line:2:386",
                              "c-band,roadm_1_p1:2:386;roadm_1_p2:5:389")
    result = devices_import_csv(text=changed, actor=member)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 2), result.errors
    roadm = Device.objects.get(oi_id="OI-DEV-000001")
    rows = set(DeviceHistory.objects.filter(device_id=roadm.pk, action__in=["updated", "tag_removed"])
               .values_list("field", "old_value", "new_value"))
    assert rows == {("name", "ROADM 1", "ROADM 1b"), ("rack", "A01", "A05"), ("tags", "testbed-core", "")}
    # roadm_1_line was dropped, so its numbers could move to roadm_1_p1.
    assert sorted(roadm.ports.values_list("name", "switch_in", "switch_out")) == [
        ("roadm_1_p1", 2, 386), ("roadm_1_p2", 5, 389)]


def test_ports_may_swap_numbers_and_move_between_devices(types, member):
    """Numbers and labels freed by one row can be taken by another row of the same file."""
    devices_import_csv(text=GOOD, actor=member)
    swapped = GOOD.replace("roadm_1_p1:1:385;roadm_1_line:2:386", "roadm_1_p1:2:386;tf_1:1:385") \
                  .replace("tf_1:3:387", "roadm_1_line:3:387")
    result = devices_import_csv(text=swapped, actor=member)
    assert result.ok, result.errors
    assert {p.name: (p.device.name, p.switch_in) for p in Port.objects.select_related("device")} == {
        "roadm_1_p1": ("ROADM 1", 2), "tf_1": ("ROADM 1", 1), "roadm_1_line": ("TeraFlex 1", 3), "reel_1": ("Reel 1", None)}


def test_every_bad_row_is_reported_and_nothing_is_imported(types, member):
    """Unknown type, duplicate serial, bad IP, bad port numbers, missing name: each with its line; no writes."""
    text = HEADER + (
        "Good 1,ROADM,,,SER-1,,,,,,,,,,,,\n"                       # line 2: fine
        "Bad type,Toaster,,,,,,,,,,,,,,,\n"                        # line 3
        "Dup serial,ROADM,,,SER-1,,,,,,,,,,,,\n"                   # line 4
        "Bad ip,ROADM,,,,,,,,,,10.0.0.300,,,,,\n"                  # line 5
        "Bad ports,ROADM,,,,,,,,,,,,,,,p_1:zero:2;p_2:-1:3\n"      # line 6
        ",ROADM,,,,,,,,,,,,,,,\n"                                  # line 7
        "Bad status,ROADM,,,,,broken,,,,,,,,,,\n"                  # line 8
        "Bad numbers,ROADM,,,,,,,,-1,,,,,0,,\n"                    # line 9
        "Short row,ROADM\n"                                        # line 10
    )
    result = devices_import_csv(text=text, actor=member)
    assert not result.ok
    by_line = {}
    for error in result.errors:
        by_line.setdefault(error.line, []).append(error.message)
    assert sorted(by_line) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert by_line[3] == ["unknown device type 'Toaster'; create it in the admin first"]
    assert by_line[4] == ["serial number 'SER-1' is also on line 2"]
    assert by_line[5] == ["mgmt_ip: Enter a valid IPv4 or IPv6 address."]
    assert by_line[6] == ["ports: in port of 'p_1' must be a whole number from 1 up, not 'zero'",
                          "ports: in port of 'p_2' must be a whole number from 1 up, not '-1'"]
    assert by_line[7] == ["name is missing"]
    assert by_line[8] == ["status 'broken' is not one of available, maintenance, unavailable, retired, spare, planned"]
    assert len(by_line[9]) == 2
    assert by_line[10] == ["has 2 cells but the header has 17 columns"]
    assert Device.objects.count() == 0
    assert result.summary() == f"Nothing imported: {len(result.errors)} error(s) in the file."


def test_line_numbers_count_multiline_cells(types, member):
    """A quoted cell spanning lines does not shift the reported line numbers."""
    text = "name,device_type,notes\nA,ROADM,\"one\ntwo\nthree\"\nB,Nope,\n"
    result = devices_import_csv(text=text, actor=member)
    assert [(e.line, e.message) for e in result.errors] == [(5, "unknown device type 'Nope'; create it in the admin first")]


def test_values_belonging_to_other_devices_are_refused(types, member):
    """A serial, asset id or port label already on another device is an error, not a silent merge."""
    a = device_create(actor=member, data={"name": "A", "device_type": types["ROADM"], "serial_number": "S-A", "oi_id": "OI-A"})
    b = device_create(actor=member, data={"name": "B", "device_type": types["ROADM"], "serial_number": "S-B"})
    PortFactory(device=b, name="b_1", switch_in=10)
    text = "name,device_type,serial_number,oi_id,ports\nA,ROADM,S-B,OI-A,\nC,ROADM,,,B_1:10:\n"
    result = devices_import_csv(text=text, actor=member)
    messages = [str(e) for e in result.errors]
    assert f"line 2: serial number 'S-B' already belongs to device 'B' (id {b.pk}), but this row matches 'A' (id {a.pk})" in messages
    assert "line 3: port label 'B_1' is already used by port 'b_1' of device 'B'" in messages
    assert "line 3: Polatis in port 10 is already used by port 'b_1' of device 'B'" in messages


def test_header_problems_are_reported_on_line_one(types, member):
    result = devices_import_csv(text="name,colour\nA,red\n", actor=member)
    assert [str(e) for e in result.errors] == [
        "line 1: unknown column(s) colour; known: " + HEADER.strip().replace(",", ", "),
        "line 1: required column(s) device_type missing"]


def test_absent_columns_leave_fields_alone(types, member):
    """A file with only some columns updates those and keeps the rest (ports and tags included)."""
    devices_import_csv(text=GOOD, actor=member)
    result = devices_import_csv(text="oi_id,name,device_type,rack\nOI-DEV-000001,ROADM 1,ROADM,A09\n", actor=member)
    assert (result.updated, result.unchanged) == (1, 0)
    roadm = Device.objects.get(oi_id="OI-DEV-000001")
    assert (roadm.rack, roadm.hostname, roadm.ports.count(), roadm.tags.count()) == ("A09", "roadm-1.lab", 2, 2)


def test_dry_run_counts_but_writes_nothing(types, member):
    before = _state()
    result = devices_import_csv(text=GOOD, actor=member, dry_run=True)
    assert (result.created, result.dry_run) == (3, True)
    assert result.summary().startswith("Would import 3 device(s)")
    assert _state() == before


def test_non_utf8_file_is_refused(types, member):
    import io

    result = devices_import_csv(file=io.BytesIO("name,device_type\nSpectre ü,ROADM\n".encode("latin-1")), actor=member)
    assert [str(e) for e in result.errors] == ['The file is not UTF-8 text; save it as "CSV UTF-8" and try again.']


def test_database_conflicts_are_reported_alongside_parse_errors(types, member):
    """One upload lists both a bad type and a port label that another device already has."""
    a = device_create(actor=member, data={"name": "A", "device_type": types["ROADM"]})
    PortFactory(device=a, name="a_1")
    text = "name,device_type,ports\nX,Toaster,\nB,ROADM,a_1\n"
    result = devices_import_csv(text=text, actor=member)
    assert [e.line for e in result.errors] == [2, 3]


def test_export_neutralises_formula_cells_and_the_round_trip_changes_nothing(types, member):
    """Cells a spreadsheet would run (=, +, -, @, tab, CR) are written with a leading apostrophe, and the
    importer strips it again: exporting and importing such an inventory changes no row."""
    device = device_create(actor=member, data={
        "name": "=HYPERLINK(\"http://evil\")", "device_type": types["ROADM"],
        "manufacturer": ManufacturerFactory(name="+Ciena"), "site": SiteFactory(name="@annex"),
        "model": "-1+1", "serial_number": "'=already quoted", "rack": "'plain apostrophe",
        "notes": "\rcarriage\nreturn", "owner_group": "''=two",
        "tags": [TagFactory(name="=tag"), TagFactory(name="-x")]})
    PortFactory(device=device, name="@p1", switch_in=1, switch_out=2)
    text = devices_export_csv()
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["name"] == "'=HYPERLINK(\"http://evil\")"
    assert (row["manufacturer"], row["site"], row["model"]) == ("'+Ciena", "'@annex", "'-1+1")
    assert (row["serial_number"], row["rack"], row["owner_group"]) == ("''=already quoted", "'plain apostrophe", "'''=two")
    assert row["notes"] == "'\rcarriage\nreturn"
    assert (row["tags"], row["ports"]) == ("'-x;=tag", "'@p1:1:2")
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    before = _state()
    result = devices_import_csv(text=text, actor=member)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1), result.errors
    assert _state() == before


def test_tags_with_semicolons_and_port_labels_with_colons_round_trip(types, member):
    """A `;` in a tag name and a `:` or `;` in a port label are escaped with a backslash, so the round
    trip keeps them (and a backslash itself)."""
    device = device_create(actor=member, data={
        "name": "ROADM 9", "device_type": types["ROADM"],
        "tags": [TagFactory(name="c;l band"), TagFactory(name="back\\slash")]})
    PortFactory(device=device, name="slot:1;a", switch_in=9, switch_out=None)
    PortFactory(device=device, name="plain", switch_in=None, switch_out=None)
    text = devices_export_csv()
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["tags"] == "back\\\\slash;c\\;l band"
    assert row["ports"] == "plain::;slot\\:1\\;a:9:"
    before = _state()
    result = devices_import_csv(text=text, actor=member)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1), result.errors
    assert _state() == before


def test_import_reads_escaped_lists_and_apostrophes(types, member):
    """A hand-written file uses the same escapes: the import creates exactly the names written."""
    text = HEADER.replace(",tags,ports\n", ",tags,ports\n") + (
        "'=ROADM 5,ROADM,,,,,,,,,,,,,,a\\;b;c,p\\:1:5:;q\\\\r::\n")
    result = devices_import_csv(text=text, actor=member)
    assert result.ok, result.errors
    device = Device.objects.get()
    assert device.name == "=ROADM 5"
    assert sorted(device.tags.values_list("name", flat=True)) == ["a;b", "c"]
    assert sorted(device.ports.values_list("name", "switch_in")) == [("p:1", 5), ("q\\r", None)]
