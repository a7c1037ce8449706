"""A topology session's wiring: the patch list, JSON, CSV with switch numbers, and the cross-connects per switch.

Built from the session's port reservations (one pair per topology link; `side` a is the link's
first end). A cross-connect on a switch joins an in port to an out port; a duplex link needs two:
a's in → b's out and b's in → a's out. Fixed links need no cross-connect.
"""

import csv
import io
from dataclasses import dataclass

from scheduler.topology.models import PortReservation

CSV_COLUMNS = ("a", "b", "a_port", "b_port", "via", "switch", "a_in", "a_out", "b_in", "b_out", "link", "active")


@dataclass
class WiredLink:
    a: str
    b: str
    a_port: object
    b_port: object
    switch: object
    link_id: int | None
    active: bool

    @property
    def cross_connects(self) -> list[list[int]]:
        if self.switch is None:
            return []
        return [[self.a_port.switch_in, self.b_port.switch_out], [self.b_port.switch_in, self.a_port.switch_out]]


def wiring_of(*, group) -> list[WiredLink]:
    """The session's links in booking order. One query."""
    rows = (PortReservation.objects.filter(group=group, side="a").select_related("port", "peer", "switch")
            .order_by("id"))
    return [WiredLink(r.a_key, r.b_key, r.port, r.peer, r.switch, r.link_id, r.active) for r in rows]


def wiring_python(links: list[WiredLink]) -> str:
    """The lab scripts' patch list: [('tf_1', 'roadm_10_p2'), ...]."""
    return repr([(w.a_port.name, w.b_port.name) for w in links])


def wiring_json(links: list[WiredLink]) -> dict:
    return {
        "patch_list": [[w.a_port.name, w.b_port.name] for w in links],
        "links": [{"a": w.a, "b": w.b, "ports": [w.a_port.name, w.b_port.name],
                   "switch": w.switch.name if w.switch else None, "link": w.link_id,
                   "cross_connects": w.cross_connects, "active": w.active} for w in links],
    }


def wiring_csv(links: list[WiredLink]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for w in links:
        writer.writerow([w.a, w.b, w.a_port.name, w.b_port.name, "switch" if w.switch else "link",
                         w.switch.name if w.switch else "", w.a_port.switch_in or "", w.a_port.switch_out or "",
                         w.b_port.switch_in or "", w.b_port.switch_out or "", w.link_id or "", "yes" if w.active else "no"])
    return out.getvalue()


def wiring_crossconnects(links: list[WiredLink]) -> dict:
    """{"switches": [{id, name, cross_connects: [[in, out], ...]}]}, active links only."""
    switches: dict[int, dict] = {}
    for w in links:
        if w.switch is None or not w.active:
            continue
        entry = switches.setdefault(w.switch.pk, {"id": w.switch.pk, "name": w.switch.name, "cross_connects": []})
        entry["cross_connects"] += w.cross_connects
    return {"switches": [switches[k] for k in sorted(switches)]}
