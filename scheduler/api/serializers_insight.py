"""Serializers of the insight endpoints: what is free, and demand (DESIGN §12 shapes)."""

from datetime import timedelta

from rest_framework import serializers

from core import clock
from core.api.query import QuerySerializer
from scheduler.api.serializers import LabDateTimeField
from scheduler.cart import SLOTS
from scheduler.selectors.insight.demand import DEFAULT_WEEKS, MAX_WEEKS
from scheduler.validators import MAX_ID

MAX_FREE_WINDOW = timedelta(days=31)


class FreeQuerySerializer(QuerySerializer):
    start = LabDateTimeField(required=False, help_text="Window start (ISO 8601; naive times are lab-local). Default: now.")
    end = LabDateTimeField(required=False, help_text="Window end. Default: 7 days after the start; at most 31 days after it.")
    device_type = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Device type id.")
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Site id.")

    def validate(self, attrs):
        start = attrs.get("start") or clock.now()
        end = attrs.get("end") or start + timedelta(days=7)
        if start >= end:
            raise serializers.ValidationError({"end": "The end must be after the start."})
        if end - start > MAX_FREE_WINDOW:
            raise serializers.ValidationError({"end": "Ask for a window of at most 31 days."})
        return {**attrs, "start": start, "end": end}


class DemandQuerySerializer(QuerySerializer):
    weeks = serializers.IntegerField(required=False, default=DEFAULT_WEEKS, min_value=1, max_value=MAX_WEEKS,
                                     help_text=f"How many full weeks before today (default {DEFAULT_WEEKS}).")
    device_type = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Device type id.")


class BriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class FreeDeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    ports = serializers.IntegerField(help_text="Number of Polatis switch ports.")
    capacity = serializers.IntegerField()
    site = serializers.SerializerMethodField()

    def get_site(self, device) -> dict | None:
        return {"id": device.site_id, "name": device.site} if device.site_id else None


class SharedSerializer(serializers.Serializer):
    device = FreeDeviceSerializer()
    held = serializers.IntegerField(help_text="Deepest overlap of active bookings in the window.")
    capacity = serializers.IntegerField()
    holders = serializers.ListField(child=serializers.CharField())


class RefusedSerializer(serializers.Serializer):
    device = FreeDeviceSerializer()
    reason = serializers.ChoiceField(choices=["full", "maintenance", "unavailable"])
    message = serializers.CharField()


class TypeFreedomSerializer(serializers.Serializer):
    device_type = serializers.SerializerMethodField()
    free = FreeDeviceSerializer(many=True)
    shared = SharedSerializer(many=True)
    refused = RefusedSerializer(many=True)

    def get_device_type(self, entry) -> dict:
        return {"id": entry.device_type_id, "name": entry.device_type}


class FreeSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    types = TypeFreedomSerializer(many=True)


class HeatCellSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text="0 = Monday.")
    slot = serializers.CharField(help_text="morning (07–12), afternoon (12–18) or overnight (18–07).")
    booked_hours = serializers.FloatField()
    bookable_hours = serializers.FloatField()
    share = serializers.FloatField(allow_null=True, help_text="booked ÷ bookable (0–1); null when nothing was bookable.")


class TypeHeatmapSerializer(serializers.Serializer):
    device_type = serializers.SerializerMethodField()
    devices = serializers.IntegerField()
    cells = HeatCellSerializer(many=True)

    def get_device_type(self, entry) -> dict:
        return {"id": entry.device_type_id, "name": entry.device_type}


class HeatmapSerializer(serializers.Serializer):
    weeks = serializers.IntegerField()
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    slots = serializers.SerializerMethodField()
    types = TypeHeatmapSerializer(many=True)

    def get_slots(self, heatmap) -> list[dict]:
        return [{"key": s.key, "label": s.label} for s in SLOTS]
