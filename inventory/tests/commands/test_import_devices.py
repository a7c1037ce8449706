from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from inventory.models import Device, DeviceHistory
from inventory.tests.factories import DeviceTypeFactory

GOOD = "name,device_type,serial_number,ports\nROADM 1,ROADM,S1,roadm_1_p1:1:2\nROADM 2,ROADM,S2,\n"
BAD = "name,device_type,serial_number,mgmt_ip\nROADM 1,ROADM,S1,\nROADM 2,Toaster,S1,not-an-ip\n"


@pytest.fixture
def csv_file(tmp_path, db):
    DeviceTypeFactory(name="ROADM")

    def write(text):
        path = tmp_path / "devices.csv"
        path.write_text(text, encoding="utf-8")
        return str(path)
    return write


def test_import_devices_imports_and_summarises(csv_file, member):
    """The command imports a good file, prints one line, and a second run changes nothing."""
    path = csv_file(GOOD)
    out = StringIO()
    call_command("import_devices", path, "--user", member.username, stdout=out)
    assert out.getvalue() == "Imported 2 device(s): 2 created, 0 updated, 0 unchanged.\n"
    assert DeviceHistory.objects.filter(action="created", actor=member).count() == 2
    out = StringIO()
    call_command("import_devices", path, stdout=out)
    assert out.getvalue() == "Imported 2 device(s): 0 created, 0 updated, 2 unchanged.\n"


def test_import_devices_dry_run_writes_nothing(csv_file):
    out = StringIO()
    call_command("import_devices", csv_file(GOOD), "--dry-run", stdout=out)
    assert out.getvalue().startswith("Would import 2 device(s): 2 created")
    assert Device.objects.count() == 0


def test_import_devices_fails_with_every_row_error(csv_file):
    """A bad file is a CommandError (non-zero exit) listing each bad row; nothing is imported."""
    with pytest.raises(CommandError) as exc:
        call_command("import_devices", csv_file(BAD), stdout=StringIO())
    assert str(exc.value).splitlines() == [
        "Nothing imported: 2 error(s) in the file.",
        "line 3: unknown device type 'Toaster'; create it in the admin first",
        "line 3: mgmt_ip: Enter a valid IPv4 or IPv6 address.",
    ]
    assert Device.objects.count() == 0


def test_import_devices_refuses_missing_file_and_unknown_user(csv_file, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_devices", str(tmp_path / "nope.csv"))
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        call_command("import_devices", csv_file(GOOD), "--user", "ghost")
