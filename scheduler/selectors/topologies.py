"""Reads of the topology pages: the saved-topologies list with its counts."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from scheduler.topology.models import Topology


@dataclass(frozen=True)
class TopologyRow:
    topology: Topology
    node_count: int
    link_count: int
    last_booked: datetime | None


def topology_rows(*, queryset: QuerySet[Topology]) -> list[TopologyRow]:
    """One row per topology, newest change first; counts come from the stored nodes and links, so the
    list costs one query whatever its length."""
    rows = []
    for topology in queryset.select_related("owner").order_by("-updated_at", "-id"):
        rows.append(TopologyRow(topology=topology, node_count=len(topology.nodes), link_count=len(topology.links),
                                last_booked=None))
    return rows
