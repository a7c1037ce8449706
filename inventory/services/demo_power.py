"""The demo lab's power: two Raritan PDUs with 16 outlets each, wired to demo devices.

They point at the simulated PDUs that `make run` starts (`manage.py pdu_simulator`, ports 8021 and
8022 on 127.0.0.1, password in DEMO_PDU_PASSWORD). Running it again adds only what is missing.
"""

from django.db import transaction

from core.services.audit import audit_log
from inventory.choices import OutletMode
from inventory.models import Device, Outlet, Pdu

DEMO_PDU_HOST = "127.0.0.1"
DEMO_PDU_PORT = 8021
DEMO_PDU_PASSWORD_ENV = "DEMO_PDU_PASSWORD"
OUTLETS = 16
# (PDU device, [(device type, numbers, mode)]) — ROADMs stay on, transceivers and amplifiers follow bookings.
PLAN = [
    ("PDU 1", [("ROADM", range(1, 5), OutletMode.ALWAYS_ON), ("TeraFlex", range(1, 9), OutletMode.BOOKING),
               ("EDFA", range(1, 5), OutletMode.BOOKING)]),
    ("PDU 2", [("Cassini", range(1, 7), OutletMode.BOOKING), ("Server", range(1, 7), OutletMode.MANUAL),
               ("OSA", range(1, 5), OutletMode.MANUAL)]),
]


@transaction.atomic
def demo_power_create() -> dict[str, int]:
    """Add the demo PDUs and their outlets when missing. Returns counts created."""
    names = {f"{prefix} {n}" for _, groups in PLAN for prefix, numbers, _ in groups for n in numbers}
    names |= {name for name, _ in PLAN}
    devices = {(d.device_type.name, d.name): d for d in Device.objects.select_related("device_type").filter(name__in=names)}
    created = {"pdus": 0, "outlets": 0}
    for index, (pdu_name, groups) in enumerate(PLAN):
        device = devices.get(("PDU", pdu_name))
        if device is None:
            continue
        pdu, new = Pdu.objects.get_or_create(device=device, defaults={
            "host": DEMO_PDU_HOST, "port": DEMO_PDU_PORT + index, "scheme": "http", "username": "admin",
            "password_env": DEMO_PDU_PASSWORD_ENV, "verify_tls": False, "outlet_count": OUTLETS,
        })
        created["pdus"] += new
        taken = set(pdu.outlets.values_list("number", flat=True))
        number, rows = 0, []
        for type_name, numbers, mode in groups:
            for n in numbers:
                number += 1
                powered = devices.get((type_name, f"{type_name} {n}"))
                if number in taken or number > OUTLETS:
                    continue
                rows.append(Outlet(pdu=pdu, number=number, name=f"{type_name.lower()}-{n}", device=powered, mode=mode))
        Outlet.objects.bulk_create(rows)
        created["outlets"] += len(rows)
    if any(created.values()):
        audit_log(actor=None, action="inventory.demo_power.created", data=created)
    return created
