"""A deterministic demo lab for newcomers: about 200 devices on two sites, Polatis ports, demo users.

Everything comes from fixed tables and one seeded `random.Random`, so two machines build the same lab.
Running it again creates only what is missing (matched by asset id, names and port labels) and never
changes what is there.
"""

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models.functions import Lower

from core.roles import LAB_MANAGERS, LAB_MEMBERS, roles_ensure
from core.services.audit import audit_log
from inventory.choices import DeviceStatus, HistoryAction
from inventory.models import Device, DeviceHistory, DeviceType, Link, Manufacturer, Port, Site, Tag
from inventory.services.setup import device_types_ensure

SEED = 20260101
SITES = {
    "Main lab": ("Room 1.12, Engineering Building", [f"A{n:02d}" for n in range(1, 11)], "10.10"),
    "Annex lab": ("Basement B.04, Annex Building", [f"B{n:02d}" for n in range(1, 7)], "10.20"),
}
MANUFACTURERS = {
    "Adva": "https://www.adva.com", "Ciena": "https://www.ciena.com", "Cisco": "https://www.cisco.com",
    "Lumentum": "https://www.lumentum.com", "Juniper": "https://www.juniper.net", "Polatis": "https://www.polatis.com",
    "Yokogawa": "https://tmi.yokogawa.com", "Edgecore": "https://www.edge-core.com", "Corning": "https://www.corning.com",
    "Arista": "https://www.arista.com", "Raritan": "https://www.raritan.com", "Dell": "https://www.dell.com",
}
TAGS = {
    "c-band": ("#1f77b4", "Works in the C band."),
    "l-band": ("#ff7f0e", "Works in the L band."),
    "400G": ("#2ca02c", "400G coherent capable."),
    "testbed-core": ("#d62728", "Part of the permanent core testbed; book with care."),
    "loaner": ("#9467bd", "On loan from a partner; return on request."),
    "fragile": ("#8c564b", "Handle patching with care."),
    "open-line-system": ("#17becf", "Disaggregated open line system."),
}
# type, how many, name prefix, host prefix (None: not on the network), [(manufacturer, model)],
# port labels for device n, rack height in U (0: not racked), likely tags
DEVICE_PLAN = [
    ("ROADM", 20, "ROADM", "roadm", [("Lumentum", "ROADM-20 Whitebox"), ("Adva", "FSP 3000 ROADM-9")],
     lambda n: [f"roadm_{n}_p{p}" for p in range(1, 5)] + [f"roadm_{n}_line"], 2, ["c-band", "open-line-system", "testbed-core"]),
    ("TeraFlex", 12, "TeraFlex", "tf", [("Adva", "FSP 3000 TeraFlex")], lambda n: [f"tf_{n}"], 1, ["400G", "c-band"]),
    ("Cassini", 8, "Cassini", "cassini", [("Edgecore", "AS7716-24SC Cassini")], lambda n: [f"cassini_{n}"], 1, ["400G"]),
    ("ILA", 10, "ILA", "ila", [("Juniper", "TCX1000-ILA"), ("Adva", "FSP 3000 ILA")],
     lambda n: [f"ila_{n}_in", f"ila_{n}_out"], 1, ["c-band", "l-band", "open-line-system"]),
    ("EDFA", 16, "EDFA", "edfa", [("Lumentum", "EDFA-C 23 dBm"), ("Lumentum", "EDFA-L 20 dBm")],
     lambda n: [f"edfa_{n}_in", f"edfa_{n}_out"], 1, ["c-band", "l-band", "fragile"]),
    ("OSA", 4, "OSA", "osa", [("Yokogawa", "AQ6370D"), ("Yokogawa", "AQ6380")], lambda n: [f"osa_{n}"], 3, ["fragile"]),
    ("Fiber", 40, "Reel", None, [("Corning", "SMF-28 Ultra")], lambda n: [f"reel_{n}_a", f"reel_{n}_b"], 0, ["c-band", "fragile"]),
    ("Switch", 12, "Switch", "sw", [("Polatis", "Series 7000 384x384"), ("Cisco", "Nexus 93180YC"),
                                   ("Juniper", "QFX5120-48Y"), ("Arista", "7050SX3-48YC8")], lambda n: [], 1, ["testbed-core"]),
    ("Router", 8, "Router", "rtr", [("Cisco", "ASR 9901"), ("Juniper", "MX204")], lambda n: [], 1, ["loaner"]),
    ("Transceiver", 30, "Transceiver", None, [("Cisco", "QDD-400G-ZR-S"), ("Juniper", "QDD-400G-ZRP"),
                                             ("Ciena", "WaveLogic 5 Nano")],
     lambda n: [f"trx_{n}"] if n <= 16 else [], 0, ["400G", "loaner"]),
    ("PDU", 16, "PDU", "pdu", [("Raritan", "PX3-5190R")], lambda n: [], 1, []),
    ("Server", 24, "Server", "srv", [("Dell", "PowerEdge R650")], lambda n: [], 1, ["testbed-core"]),
]
OWNER_GROUPS = ["OpenIreland", "Optical networks group", "Photonics group", "Systems group"]
POLATIS_EGRESS_OFFSET = 384  # Polatis 384x384: ingress ports 1-384, egress 385-768

DEMO_USERS = [
    # username, password (demo only), first name, group, is_staff
    ("manager", "labsite-manager", "Maeve", LAB_MANAGERS, True),
    ("alice", "labsite-alice", "Alice", LAB_MEMBERS, False),
    ("bob", "labsite-bob", "Bob", LAB_MEMBERS, False),
]


@dataclass
class DemoUser:
    username: str
    password: str
    role: str
    created: bool


def _device_specs() -> list[dict]:
    """The whole demo lab as plain dicts, independent of the database (same on every machine)."""
    rng = random.Random(SEED)
    site_names = list(SITES)
    rack_fill = {rack: 1 for _, racks, _ in SITES.values() for rack in racks}
    ip_next = dict.fromkeys(SITES, 10)
    specs, asset = [], 0
    for type_name, count, prefix, host, makers, ports, height, tags in DEVICE_PLAN:
        for n in range(1, count + 1):
            asset += 1
            maker, model = makers[0] if type_name == "Switch" and n == 1 else rng.choice(makers)
            site = site_names[0] if rng.random() < 0.7 else site_names[1]
            rack, u = "", None
            if height:
                racks = [r for r in SITES[site][1] if rack_fill[r] + height <= 43]
                rack = rng.choice(racks[:3]) if racks else ""
                if rack:
                    u, rack_fill[rack] = rack_fill[rack], rack_fill[rack] + height
            elif type_name == "Fiber":
                rack = f"Shelf {1 + (n - 1) // 10}"
            roll = rng.random()
            status = (DeviceStatus.MAINTENANCE if roll < 0.04 else DeviceStatus.SPARE if roll < 0.07
                      else DeviceStatus.UNAVAILABLE if roll < 0.085 else DeviceStatus.AVAILABLE)
            hostname, mgmt_ip = "", None
            if host:
                hostname = f"{host}-{n}.lab.example"
                index = ip_next[site]
                ip_next[site] += 1
                mgmt_ip = f"{SITES[site][2]}.{index // 250}.{index % 250 + 1}"
            name = f"{prefix} {n}" if not (type_name == "Switch" and n == 1) else "Polatis 1"
            notes = ""
            if type_name == "Fiber":
                model = f"{model} {rng.choice([5, 10, 25, 50, 80])} km"
            if type_name == "Transceiver":
                notes = f"Plugged into Switch {rng.randint(2, 12)}." if n % 3 else "Kept in the optics drawer."
            specs.append({
                "type": type_name, "name": name, "manufacturer": maker, "model": model,
                "serial_number": f"{maker[:3].upper()}{rng.randrange(10**6, 10**7)}{asset:03d}",
                "oi_id": f"OI-DEV-{asset:06d}", "status": status, "site": site, "rack": rack, "u_position": u,
                "hostname": hostname, "mgmt_ip": mgmt_ip, "owner_group": rng.choice(OWNER_GROUPS), "notes": notes,
                "capacity": 8 if (type_name == "Server" and n <= 4) else None,
                "tags": sorted(rng.sample(tags, k=rng.randint(0, min(2, len(tags))))) if tags else [],
                "ports": ports(n),
            })
    return specs


def _ensure_named(model, wanted: dict[str, dict]) -> tuple[dict[str, object], int]:
    existing = {o.name: o for o in model.objects.filter(name__in=wanted)}
    new = [model(name=name, **fields) for name, fields in wanted.items() if name not in existing]
    model.objects.bulk_create(new)
    return {o.name: o for o in model.objects.filter(name__in=wanted)}, len(new)


@transaction.atomic
def demo_lab_create() -> dict[str, int]:
    """Add the demo lab's sites, manufacturers, tags, devices and ports that are missing. Returns counts created."""
    device_types_ensure()
    types = {t.name: t for t in DeviceType.objects.all()}
    sites, sites_new = _ensure_named(Site, {name: {"address": address} for name, (address, _, _) in SITES.items()})
    makers, makers_new = _ensure_named(Manufacturer, {name: {"website": url} for name, url in MANUFACTURERS.items()})
    tags, tags_new = _ensure_named(Tag, {name: {"color": c, "description": d} for name, (c, d) in TAGS.items()})

    specs = _device_specs()
    taken_oi = set(Device.objects.filter(oi_id__in=[s["oi_id"] for s in specs]).values_list("oi_id", flat=True))
    taken_serial = set(Device.objects.filter(serial_number__in=[s["serial_number"] for s in specs])
                       .values_list("serial_number", flat=True))
    taken_names = set(Device.objects.values_list("device_type__name", "name"))
    specs = [s for s in specs if s["oi_id"] not in taken_oi and s["serial_number"] not in taken_serial
             and (s["type"], s["name"]) not in taken_names]
    devices = Device.objects.bulk_create([
        Device(name=s["name"], device_type=types[s["type"]], manufacturer=makers[s["manufacturer"]], model=s["model"],
               serial_number=s["serial_number"], oi_id=s["oi_id"], status=s["status"], site=sites[s["site"]],
               rack=s["rack"], u_position=s["u_position"], hostname=s["hostname"], mgmt_ip=s["mgmt_ip"],
               owner_group=s["owner_group"], notes=s["notes"], capacity=s["capacity"])
        for s in specs
    ])
    Device.tags.through.objects.bulk_create([
        Device.tags.through(device_id=device.pk, tag_id=tags[tag].pk)
        for device, spec in zip(devices, specs, strict=True) for tag in spec["tags"]
    ])

    # Polatis numbers follow the plan's order over the whole lab, so they do not depend on what exists.
    labels = {label.lower() for label in Port.objects.annotate(lower_name=Lower("name")).values_list("lower_name", flat=True)}
    used_in = set(Port.objects.exclude(switch_in=None).values_list("switch_in", flat=True))
    used_out = set(Port.objects.exclude(switch_out=None).values_list("switch_out", flat=True))
    by_oi = {d.oi_id: d for d in devices}
    ports, number = [], 0
    for spec in _device_specs():
        for label in spec["ports"]:
            number += 1
            device = by_oi.get(spec["oi_id"])
            if device is None or label.lower() in labels:
                continue
            switch_in = None if number in used_in else number
            switch_out = None if number + POLATIS_EGRESS_OFFSET in used_out else number + POLATIS_EGRESS_OFFSET
            ports.append(Port(device=device, name=label, switch_in=switch_in, switch_out=switch_out,
                              description=f"{spec['name']} port {label}"))
    Port.objects.bulk_create(ports)

    history = []
    for device, spec in zip(devices, specs, strict=True):
        history.append(DeviceHistory(device_id=device.pk, device_name=device.name, action=HistoryAction.CREATED))
        history += [DeviceHistory(device_id=device.pk, device_name=device.name, action=HistoryAction.TAG_ADDED,
                                  field="tags", new_value=tag) for tag in spec["tags"]]
    DeviceHistory.objects.bulk_create(history)
    counts = {"sites": sites_new, "manufacturers": makers_new, "tags": tags_new, "devices": len(devices), "ports": len(ports)}
    if any(counts.values()):
        audit_log(actor=None, action="inventory.demo_lab.created", data=counts)
    return counts


@transaction.atomic
def demo_users_ensure() -> list[DemoUser]:
    """Create the demo manager (staff, in Lab managers) and two lab members; existing users are left alone."""
    roles_ensure()
    User = get_user_model()
    result = []
    for username, password, first_name, group_name, is_staff in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User.objects.create_user(username=username, password=password, first_name=first_name,
                                            email=f"{username}@lab.example", is_staff=is_staff)
            user.groups.add(Group.objects.get(name=group_name))
            audit_log(actor=None, action="core.user.created", target=user, data={"demo": True})
        result.append(DemoUser(username=username, password=password, role=group_name, created=created))
    return result


# Device types whose ports are patched into the demo lab's Polatis.
PATCHED_TYPES = ("TeraFlex", "Cassini", "ROADM", "ILA", "EDFA", "OSA", "Fiber")
# Fixed links of the demo lab: a ROADM's line port spliced to an amplifier's input (not via the switch).
DEMO_FIXED_LINKS = [(f"roadm_{n}_line", f"edfa_{n}_in", "3.000", "0.80") for n in range(1, 5)]


@transaction.atomic
def demo_wiring_ensure() -> dict[str, int]:
    """Patch the demo lab's transponder, ROADM, amplifier, OSA and reel ports into Polatis 1 and add
    a few fixed links (ROADM line port ↔ EDFA input). Only ports without a switch and labels not yet
    linked are touched, so running it again changes nothing."""
    polatis = Device.objects.filter(name="Polatis 1", device_type__name="Switch").first()
    if polatis is None:
        return {"patched": 0, "links": 0}
    by_label = {p.name: p for p in Port.objects.filter(device__device_type__name__in=PATCHED_TYPES)}
    linked = set(Link.objects.values_list("a_id", flat=True)) | set(Link.objects.values_list("b_id", flat=True))
    links = []
    for a, b, length, loss in DEMO_FIXED_LINKS:
        port_a, port_b = by_label.get(a), by_label.get(b)
        if port_a is None or port_b is None or port_a.pk in linked or port_b.pk in linked:
            continue
        for port in (port_a, port_b):  # a spliced port is not on the switch
            port.switch, port.switch_in, port.switch_out = None, None, None
            port.save(update_fields=["switch", "switch_in", "switch_out"])
            linked.add(port.pk)
        links.append(Link(a=port_a, b=port_b, length_km=length, loss_db=loss, notes="Demo splice: line port to amplifier."))
    Link.objects.bulk_create(links)
    patched = Port.objects.filter(pk__in=[p.pk for p in by_label.values() if p.pk not in linked],
                                  switch__isnull=True, switch_in__isnull=False, switch_out__isnull=False)
    count = patched.update(switch=polatis)
    if count or links:
        audit_log(actor=None, action="inventory.demo_wiring.created", data={"patched": count, "links": len(links)})
    return {"patched": count, "links": len(links)}
