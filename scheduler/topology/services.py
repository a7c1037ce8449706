"""Writes of topologies: create (also from a patch list or a past session), update, copy, delete.

A member sees and edits only their own topologies; lab managers see and edit all. Every write
checks the nodes and links (`spec.topology_spec_clean`) and leaves an audit event
`scheduler.topology.<created|updated|copied|deleted>` in its transaction.
"""

from django.db import transaction
from django.db.models import QuerySet

from core.exceptions import ApplicationError, NotFound
from core.roles import is_lab_manager
from core.services.audit import audit_log
from scheduler.models import BookingGroup
from scheduler.services.booking.permissions import require_visible
from scheduler.topology.models import Topology
from scheduler.topology.spec import spec_from_group, spec_from_patch_list, topology_spec_clean

NAME_MAX = 100


def topologies_visible_to(*, user) -> QuerySet[Topology]:
    """Own topologies; every topology for lab managers."""
    queryset = Topology.objects.select_related("owner")
    return queryset if is_lab_manager(user) else queryset.filter(owner=user)


def topology_require_visible(*, topology_id: int, actor) -> Topology:
    topology = topologies_visible_to(user=actor).filter(pk=topology_id).first()
    if topology is None:
        raise NotFound("No such topology.")
    return topology


def _name(name) -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > NAME_MAX:
        raise ApplicationError(f"A topology needs a name of 1 to {NAME_MAX} characters.", extra={"errors": [{"field": "name"}]})
    return name.strip()


@transaction.atomic
def topology_create(*, owner, name: str, description: str = "", nodes, links, source_group: BookingGroup | None = None) -> Topology:
    """Save a new topology of `owner` after checking its nodes and links."""
    nodes, links = topology_spec_clean(nodes=nodes, links=links)
    topology = Topology.objects.create(owner=owner, name=_name(name), description=(description or "").strip(),
                                       nodes=nodes, links=links, source_group=source_group)
    audit_log(actor=owner, action="scheduler.topology.created", target=topology,
              data={"nodes": len(nodes), "links": len(links), "source_group": getattr(source_group, "pk", None)})
    return topology


@transaction.atomic
def topology_update(*, topology: Topology, actor, data: dict) -> Topology:
    """Change the name, description, nodes and/or links (those given in `data`)."""
    if "nodes" in data or "links" in data:
        topology.nodes, topology.links = topology_spec_clean(nodes=data.get("nodes", topology.nodes),
                                                             links=data.get("links", topology.links))
    if "name" in data:
        topology.name = _name(data["name"])
    if "description" in data:
        topology.description = (data["description"] or "").strip()
    topology.save()
    audit_log(actor=actor, action="scheduler.topology.updated", target=topology, data={"fields": sorted(data)})
    return topology


@transaction.atomic
def topology_copy(*, topology: Topology, actor, name: str | None = None) -> Topology:
    """A copy owned by `actor` (a manager may copy anyone's topology into their own)."""
    copy = Topology.objects.create(owner=actor, name=_name(name or f"Copy of {topology.name}"[:NAME_MAX]),
                                   description=topology.description, nodes=topology.nodes, links=topology.links)
    audit_log(actor=actor, action="scheduler.topology.copied", target=copy, data={"source": topology.pk})
    return copy


@transaction.atomic
def topology_delete(*, topology: Topology, actor) -> None:
    audit_log(actor=actor, action="scheduler.topology.deleted", target=topology, data={"name": topology.name})
    topology.delete()


def topology_create_from_patch_list(*, owner, name: str, text: str, pin: bool = True, description: str = "") -> Topology:
    """A topology with a node per device and a link per patched pair of the patch list."""
    nodes, links = spec_from_patch_list(text=text, pin=pin)
    return topology_create(owner=owner, name=name, description=description, nodes=nodes, links=links)


def topology_create_from_group(*, owner, group_id: int, name: str | None = None, pin: bool = True) -> Topology:
    """A topology of the devices (and, for a session booked from a topology, the links) of a past session."""
    group = BookingGroup.objects.filter(pk=group_id).first()
    if group is None:
        raise NotFound("No such session.")
    require_visible(owner, group)
    nodes, links = spec_from_group(group=group, pin=pin)
    if not nodes:
        raise ApplicationError("This session has no bookings to make a topology of.")
    return topology_create(owner=owner, name=name or f"Session {group.pk}", nodes=nodes, links=links, source_group=group)
