"""Inventory reads shared by the API, the pages and the scheduler: device search and totals."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from inventory.choices import DeviceStatus
from inventory.models import Device, DeviceType, Port, Site

# Device fields `q` looks in (besides port labels), each with icontains.
# On PostgreSQL Django compares HOST(mgmt_ip), the address without its netmask, for mgmt_ip__icontains.
DEVICE_SEARCH_FIELDS = ("name", "oi_id", "serial_number", "hostname", "mgmt_ip")


def search_terms(q: str | None) -> list[str]:
    """Split a `q` value into its comma-separated terms, dropping blanks."""
    return [term.strip() for term in (q or "").split(",") if term.strip()]


def device_search(*, q: str | None, queryset: QuerySet[Device] | None = None) -> QuerySet[Device]:
    """Devices whose name, asset id, serial, hostname, management IP or a port label contains any term of `q`.

    Terms are separated by commas and OR'ed; matching is case-insensitive. Port labels are matched with
    an EXISTS subquery so a device with several matching ports is returned once and counts stay right.
    """
    queryset = Device.objects.all() if queryset is None else queryset
    terms = search_terms(q)
    if not terms:
        return queryset
    match = Q()
    port_match = Q()
    for term in terms:
        for field in DEVICE_SEARCH_FIELDS:
            match |= Q(**{f"{field}__icontains": term})
        port_match |= Q(name__icontains=term)
    ports = Port.objects.filter(port_match, device=OuterRef("pk"))
    return queryset.filter(match | Exists(ports))


def port_search(*, q: str | None, queryset: QuerySet[Port] | None = None) -> QuerySet[Port]:
    """Ports whose label or description contains any comma-separated term of `q`."""
    queryset = Port.objects.all() if queryset is None else queryset
    terms = search_terms(q)
    if not terms:
        return queryset
    match = Q()
    for term in terms:
        match |= Q(name__icontains=term) | Q(description__icontains=term)
    return queryset.filter(match)


@dataclass(frozen=True)
class StatusCount:
    status: str
    label: str
    count: int


@dataclass(frozen=True)
class GroupCount:
    id: int | None
    name: str
    count: int


@dataclass(frozen=True)
class InventoryStats:
    total: int
    by_status: list[StatusCount]
    by_device_type: list[GroupCount]
    by_site: list[GroupCount]
    without_site: int


def inventory_stats() -> InventoryStats:
    """Device totals by status, type and site; every status, type and site appears, with 0 when empty."""
    per_status = dict(Device.objects.order_by().values_list("status").annotate(n=Count("id")))
    by_status = [StatusCount(status=value, label=label, count=per_status.get(value, 0))
                 for value, label in DeviceStatus.choices]
    by_type = [GroupCount(id=t.id, name=t.name, count=t.n)
               for t in DeviceType.objects.annotate(n=Count("devices")).order_by("name")]
    by_site = [GroupCount(id=s.id, name=s.name, count=s.n)
               for s in Site.objects.annotate(n=Count("devices")).order_by("name")]
    total = sum(per_status.values())
    return InventoryStats(total=total, by_status=by_status, by_device_type=by_type, by_site=by_site,
                          without_site=total - sum(s.count for s in by_site))
