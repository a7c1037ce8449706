"""Insight endpoints: what is free in a window, and demand by weekday × slot."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from scheduler.api import serializers_insight as s
from scheduler.api.views_read import _query
from scheduler.selectors.insight.demand import demand_heatmap
from scheduler.selectors.insight.free import free_for


class FreeView(APIView):
    @extend_schema(
        operation_id="scheduler_free",
        parameters=[s.FreeQuerySerializer],
        responses={200: s.FreeSerializer},
        summary="What is free in a window, per device type",
        description=(
            "Every device of the matching types is in exactly one list: `free` (no active booking overlaps the "
            "window), `shared` (some do, but one more fits at every instant; `held` is the deepest overlap) or "
            "`refused` with `reason` full, maintenance or unavailable. Window defaults to now + 7 days (at most 31)."
        ),
    )
    def get(self, request):
        query = _query(s.FreeQuerySerializer, request)
        report = free_for(start=query["start"], end=query["end"], device_type=query.get("device_type"),
                          site=query.get("site"))
        return Response(s.FreeSerializer(report).data)


class DemandView(APIView):
    @extend_schema(
        operation_id="scheduler_demand",
        parameters=[s.DemandQuerySerializer],
        responses={200: s.HeatmapSerializer},
        summary="Demand heatmap: booked share of bookable device-hours by weekday × slot",
        description=(
            "Per device type, over the `weeks` full weeks before today (default 12): for each weekday (0 = Monday) "
            "and lab slot, booked hours (active bookings) ÷ bookable hours (device-hours × capacity, without "
            "maintenance and non-bookable time)."
        ),
    )
    def get(self, request):
        query = _query(s.DemandQuerySerializer, request)
        heatmap = demand_heatmap(weeks=query["weeks"], device_type=query.get("device_type"))
        return Response(s.HeatmapSerializer(heatmap).data)
