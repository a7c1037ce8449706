"""How ports can be joined: a cross-connect on an optical switch, a fixed link, or not at all.

A cross-connect joins two ports patched into the same switch; a duplex connection uses both
directions (a.out → b.in and b.out → a.in), so it needs both switch numbers of each port.
A fixed Link joins exactly its two ports. Reads only; two queries whatever the size of the lab.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q, QuerySet

from inventory.models import Link, Port


class PortInfo(NamedTuple):
    """The facts about one port that decide how it can be joined (a tuple: thousands are built per read)."""

    id: int
    name: str
    device_id: int
    switch_id: int | None
    switch_in: int | None
    switch_out: int | None

    @property
    def on_switch(self) -> bool:
        return self.switch_id is not None and self.switch_in is not None and self.switch_out is not None


@dataclass(frozen=True)
class Connection:
    """How two ports are joined: `kind` "switch" (on switch `via`) or "link" (Link `via`)."""

    kind: str
    via: int


@dataclass
class Wiring:
    """The ports of some devices, their switches and fixed links, indexed for the resolver."""

    ports: dict[int, PortInfo] = field(default_factory=dict)
    ports_of: dict[int, list[PortInfo]] = field(default_factory=lambda: defaultdict(list))
    link_of: dict[int, tuple[int, int]] = field(default_factory=dict)  # port id → (link id, other port id)

    def connection(self, a: int, b: int) -> Connection | None:
        """How ports `a` and `b` can be joined, preferring their fixed link; None when they cannot."""
        if a == b or a not in self.ports or b not in self.ports:
            return None
        link = self.link_of.get(a)
        if link is not None and link[1] == b:
            return Connection("link", link[0])
        pa, pb = self.ports[a], self.ports[b]
        if link is None and b not in self.link_of and pa.on_switch and pb.on_switch and pa.switch_id == pb.switch_id:
            return Connection("switch", pa.switch_id)
        return None

    def switch_ports(self, device_id: int) -> dict[int, list[PortInfo]]:
        """The device's ports that can take a cross-connect, by switch (ports in a fixed link excluded)."""
        by_switch: dict[int, list[PortInfo]] = defaultdict(list)
        for port in self.ports_of.get(device_id, ()):
            if port.on_switch and port.id not in self.link_of:
                by_switch[port.switch_id].append(port)
        return by_switch

    def fixed_links(self, device_id: int) -> list[tuple[int, int, int]]:
        """(link id, own port id, other port id) for each fixed link leaving the device."""
        return [(link, port.id, other) for port in self.ports_of.get(device_id, ())
                if (entry := self.link_of.get(port.id)) for link, other in [entry]]


def wiring_load(*, device_ids: Iterable[int] | None = None) -> Wiring:
    """The ports of `device_ids` (all devices when None) and the fixed links touching them. Two queries.

    The far port of a link is loaded too, even when its device is not among `device_ids`.
    """
    links = Link.objects.all()
    ports = Port.objects.all()
    if device_ids is not None:
        # A queryset of device pks stays a subquery; any other iterable becomes a list of ids.
        ids = device_ids if isinstance(device_ids, QuerySet) else list(set(device_ids))
        links = links.filter(Q(a__device_id__in=ids) | Q(b__device_id__in=ids))
        link_rows = list(links.values_list("id", "a_id", "b_id"))
        far = {p for _, a, b in link_rows for p in (a, b)}
        ports = ports.filter(Q(device_id__in=ids) | Q(pk__in=far))
    else:
        link_rows = list(links.values_list("id", "a_id", "b_id"))
    wiring = Wiring()
    for row in ports.order_by("device_id", "name", "id").values_list(
            "id", "name", "device_id", "switch_id", "switch_in", "switch_out"):
        info = PortInfo(*row)
        wiring.ports[info.id] = info
        wiring.ports_of[info.device_id].append(info)
    for link_id, a, b in link_rows:
        wiring.link_of[a] = (link_id, b)
        wiring.link_of[b] = (link_id, a)
    return wiring


def port_connection(*, a: Port, b: Port) -> Connection | None:
    """How two ports can be joined: a cross-connect on their common switch, their fixed link, or None."""
    wiring = wiring_load(device_ids=[a.device_id, b.device_id])
    return wiring.connection(a.pk, b.pk)
