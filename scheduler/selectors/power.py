"""Outlets with who holds their device now: the data of the power page, the device page and the API."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from core import clock
from inventory.models import Outlet, Pdu
from scheduler.selectors.access import DeviceHolding, device_holdings_at


@dataclass
class OutletView:
    outlet: Outlet
    holding: DeviceHolding = field(default_factory=DeviceHolding)

    @property
    def holders(self) -> list[str]:
        return self.holding.holders


def outlets_queryset() -> QuerySet[Outlet]:
    return Outlet.objects.select_related("pdu__device", "device").order_by("pdu__device__name", "number", "id")


def outlets_with_holders(*, outlets, user, at: datetime | None = None) -> list[OutletView]:
    """Each outlet with the holding of its device at `at` (default now), as seen by `user`. Two queries."""
    outlets = list(outlets)
    holdings = device_holdings_at(device_ids={o.device_id for o in outlets if o.device_id}, user=user,
                                  at=at or clock.now())
    return [OutletView(outlet=o, holding=holdings.get(o.device_id, DeviceHolding())) for o in outlets]


@dataclass
class PduView:
    pdu: Pdu
    outlets: list[OutletView]


def power_overview(*, user, at: datetime | None = None) -> list[PduView]:
    """Every PDU with its outlets, devices, current holders and readings. Four queries, whatever the size."""
    pdus = list(Pdu.objects.select_related("device").order_by("device__name", "id"))
    rows = outlets_with_holders(outlets=outlets_queryset(), user=user, at=at)
    by_pdu: dict[int, list[OutletView]] = {}
    for row in rows:
        by_pdu.setdefault(row.outlet.pdu_id, []).append(row)
    return [PduView(pdu=pdu, outlets=by_pdu.get(pdu.pk, [])) for pdu in pdus]
