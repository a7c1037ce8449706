"""A small wired lab for topology tests: one switch, ROADMs, TeraFlex transponders and amplifiers."""

from dataclasses import dataclass, field

from inventory.models import Device, DeviceType, Link, Port
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory, PortFactory
from scheduler.topology.models import Topology


@dataclass
class Lab:
    switch: Device
    types: dict[str, DeviceType]
    devices: dict[str, Device] = field(default_factory=dict)
    ports: dict[str, Port] = field(default_factory=dict)
    next_number: int = 1

    def device(self, type_name: str, name: str, ports: int = 1, **kwargs) -> Device:
        if type_name not in self.types:
            self.types[type_name] = DeviceTypeFactory(name=type_name, default_capacity=2)
        device = DeviceFactory(name=name, device_type=self.types[type_name], **kwargs)
        self.devices[name] = device
        prefix = name.lower().replace(" ", "_")
        for n in range(1, ports + 1):
            self.port(device, f"{prefix}_p{n}")
        return device

    def port(self, device: Device, label: str, patched: bool = True) -> Port:
        number = self.next_number
        self.next_number += 1
        port = PortFactory(device=device, name=label, switch=self.switch if patched else None,
                           switch_in=number if patched else None, switch_out=number + 384 if patched else None)
        self.ports[label] = port
        return port

    def link(self, a: str, b: str) -> Link:
        return Link.objects.create(a=self.ports[a], b=self.ports[b])


def lab_build() -> Lab:
    switch_type = DeviceTypeFactory(name="Switch", is_schedulable=False)
    return Lab(switch=DeviceFactory(name="Polatis 1", device_type=switch_type), types={"Switch": switch_type})


def topology_of(owner, lab: Lab, nodes: list[tuple[str, str]], links: list[tuple[str, str]] = (), fixed=()) -> Topology:
    """nodes: (key, type name) or (key, "=Device name") for a pinned device."""
    spec = []
    for key, what in nodes:
        if what.startswith("="):
            spec.append({"key": key, "device_type": None, "device": lab.devices[what[1:]].pk, "site": None, "tag": None, "params": {}})
        else:
            spec.append({"key": key, "device_type": lab.types[what].pk, "device": None, "site": None, "tag": None, "params": {}})
    return Topology.objects.create(owner=owner, name="t", nodes=spec,
                                   links=[{"a": a, "b": b, "fixed_only": (a, b) in fixed, "notes": ""} for a, b in links])
