"""The lab's default device types, created by `manage.py init_db`.

Capacity 2 is the lab's rule (two experiments may share a device). The exceptions: an OSA drives one
measurement at a time, a fibre spool or a transceiver carries one experiment's link, servers are
shared more widely, and PDUs are power infrastructure that is switched, not booked.
"""

from django.db import transaction

from inventory.choices import DeviceCategory
from inventory.models import DeviceType

OPTICAL, COMPUTE, INFRA = DeviceCategory.OPTICAL, DeviceCategory.COMPUTE, DeviceCategory.INFRA

# name: (category, has_ports, default_capacity, requires_approval, is_schedulable, description)
DEFAULT_DEVICE_TYPES: dict[str, tuple] = {
    "ROADM": (OPTICAL, True, 2, True, True, "Reconfigurable optical add-drop multiplexer."),
    "TeraFlex": (OPTICAL, True, 2, True, True, "Adva TeraFlex coherent transponder."),
    "Cassini": (OPTICAL, True, 2, True, True, "Open packet-optical transponder (TIP Cassini)."),
    "ILA": (OPTICAL, True, 2, True, True, "In-line amplifier site."),
    "EDFA": (OPTICAL, True, 2, True, True, "Erbium-doped fibre amplifier."),
    "OSA": (OPTICAL, True, 1, True, True, "Optical spectrum analyser; one measurement at a time."),
    "Fiber": (OPTICAL, True, 1, True, True, "Fibre spool (reel); carries one experiment's link."),
    "Switch": (INFRA, False, 2, True, True, "Ethernet or optical switch."),
    "Router": (INFRA, False, 2, True, True, "IP router."),
    "Transceiver": (OPTICAL, True, 1, True, True, "Pluggable optics; in one experiment at a time."),
    "PDU": (INFRA, False, 2, False, False, "Switched power distribution unit; not booked."),
    "Server": (COMPUTE, False, 4, False, True, "Compute server; shared without approval."),
}


@transaction.atomic
def device_types_ensure() -> list[DeviceType]:
    """Create the default device types that are missing; existing types (maybe edited) stay as they are.

    Returns the types created.
    """
    existing = {name.lower() for name in DeviceType.objects.values_list("name", flat=True)}
    missing = [
        DeviceType(name=name, category=category, has_ports=has_ports, default_capacity=capacity,
                   requires_approval=approval, is_schedulable=schedulable, description=description)
        for name, (category, has_ports, capacity, approval, schedulable, description) in DEFAULT_DEVICE_TYPES.items()
        if name.lower() not in existing
    ]
    return DeviceType.objects.bulk_create(missing)
