"""Serializers of the scheduler's read endpoints: availability, next slot, schedule, access check, favorites."""

from datetime import UTC, timedelta

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import clock
from core.api.query import QuerySerializer, StrictCharField
from inventory.api.serializers import DeviceBriefSerializer
from inventory.models import Device
from scheduler.api.serializers import LabDateTimeField
from scheduler.models import Favorite
from scheduler.selectors.availability import policy_read
from scheduler.selectors.schedule import MAX_DAYS, lab_day_start
from scheduler.services.favorites import MAX_FAVORITE_DEVICES
from scheduler.validators import LAB_YEARS_PATTERN, MAX_ID, validate_lab_date

MAX_WINDOW = timedelta(days=31)
MAX_DEVICES_PER_QUERY = 200


# --- input ---------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": "^ *[1-9][0-9]{0,17} *(, *[1-9][0-9]{0,17} *)*,? *$"})
class DeviceIdsField(serializers.Field):
    """Comma-separated device ids ("1,2,3"), resolved to devices; unknown ids are named in the error."""

    default_error_messages = {
        "invalid": "Give device ids separated by commas, e.g. 1,2,3.",
        "empty": "Give at least one device id.",
        "too_many": f"Ask for at most {MAX_DEVICES_PER_QUERY} devices at once.",
        "unknown": "No device with id {ids}.",
    }

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        parts = [part.strip() for part in data.split(",") if part.strip()]
        if not parts:
            self.fail("empty")
        if not all(part.isascii() and part.isdigit() and len(part) <= 18 for part in parts):
            self.fail("invalid")
        ids = list(dict.fromkeys(int(part) for part in parts))
        if len(ids) > MAX_DEVICES_PER_QUERY:
            self.fail("too_many")
        devices = {d.pk: d for d in Device.objects.filter(pk__in=ids).select_related("device_type")}
        missing = [str(pk) for pk in ids if pk not in devices]
        if missing:
            self.fail("unknown", ids=", ".join(missing))
        return [devices[pk] for pk in ids]

    def to_representation(self, value):
        return ",".join(str(d.pk) for d in value)


class AvailabilityQuerySerializer(QuerySerializer):
    devices = DeviceIdsField(help_text="Comma-separated device ids, e.g. `1,2`.")
    start = LabDateTimeField(
        required=False, help_text="Window start (ISO 8601; naive times are lab-local). Default: now."
    )
    end = LabDateTimeField(
        required=False, help_text="Window end. Default: 7 days after the start. At most 31 days after it."
    )

    def validate(self, attrs):
        start = attrs.get("start") or clock.now()
        end = attrs.get("end") or start + timedelta(days=7)
        if start >= end:
            raise serializers.ValidationError({"end": "The end must be after the start."})
        if end - start > MAX_WINDOW:
            raise serializers.ValidationError({"end": "Ask for a window of at most 31 days."})
        return {**attrs, "start": start, "end": end}


class NextSlotQuerySerializer(QuerySerializer):
    devices = DeviceIdsField(help_text="Comma-separated device ids, e.g. `1,2`.")
    duration = serializers.IntegerField(min_value=1, max_value=10**6, help_text="Minutes; a multiple of the slot.")
    after = LabDateTimeField(required=False, help_text="Earliest start (default now).")

    def validate(self, attrs):
        policy = policy_read()
        duration = timedelta(minutes=attrs["duration"])
        if attrs["duration"] % policy.slot_minutes:
            raise serializers.ValidationError({"duration": f"Give a multiple of {policy.slot_minutes} minutes."})
        if duration > policy.max_duration:
            limit = int(policy.max_duration.total_seconds() // 60)
            raise serializers.ValidationError({"duration": f"A booking lasts at most {limit} minutes."})
        return {**attrs, "duration": duration}


@extend_schema_field({"type": "string", "format": "date", "pattern": LAB_YEARS_PATTERN})
class LabDateField(serializers.DateField):
    """A lab-local day in the scheduler's calendar (2000-2099)."""


class ScheduleQuerySerializer(QuerySerializer):
    start = LabDateField(required=False, validators=[validate_lab_date],
                                  help_text="First lab-local day (YYYY-MM-DD), 2000–2099. Default: today.")
    days = serializers.IntegerField(required=False, default=7, min_value=1, max_value=MAX_DAYS)
    device_type = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Device type id.")
    site = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Site id.")
    tag = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, help_text="Tag id.")
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=500,
        help_text="Search terms separated by commas: any matches name, type name, port label or management IP.",
    )

    def validate(self, attrs):
        start = attrs.get("start") or timezone.localdate(clock.now())
        try:
            lab_day_start(start + timedelta(days=attrs["days"])).astimezone(UTC)
        except OverflowError as exc:
            raise serializers.ValidationError({"start": "Pick a day before the end of the year 9999."}) from exc
        return {**attrs, "start": start}


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S"})
class PortLabelField(StrictCharField):
    """A port label: a JSON string, not blank once trimmed."""

    default_error_messages = {"not_a_string": "Give a port label as a string."}


class AccessCheckInputSerializer(serializers.Serializer):
    patches = serializers.ListField(
        child=serializers.ListField(child=PortLabelField(max_length=100), min_length=2, max_length=50),
        required=False, max_length=500,
        help_text='Patches, each a list of two or more port labels: [["tf_1", "roadm_10_p2"]]. "NULL" is ignored.',
    )
    ports = serializers.ListField(child=PortLabelField(max_length=100), required=False, max_length=1000)
    at = LabDateTimeField(required=False, help_text="The moment to check (default now).")

    def validate(self, attrs):
        if "patches" not in attrs and "ports" not in attrs:
            raise serializers.ValidationError("Give `patches` or `ports`.")
        return attrs


# --- output --------------------------------------------------------------------------------------


class BookingOwnerSerializer(serializers.Serializer):
    """The booking's owner, from the flat fields of a read model."""

    id = serializers.IntegerField(source="owner_id")
    username = serializers.CharField(source="owner_username")


class TimeIntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class BusyIntervalSerializer(serializers.Serializer):
    booking = serializers.IntegerField(source="booking_id")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()
    owner = BookingOwnerSerializer(source="*")


class MaintenanceIntervalSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="window_id")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField()


class DeviceAvailabilitySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="device.id")
    name = serializers.CharField(source="device.name")
    status = serializers.CharField(source="device.status")
    capacity = serializers.IntegerField()
    device_bookable = serializers.BooleanField(source="is_bookable", help_text="Device available and its type schedulable.")
    busy = BusyIntervalSerializer(many=True, help_text="Active bookings (pending, conflicting, confirmed).")
    maintenance = MaintenanceIntervalSerializer(many=True)
    free = TimeIntervalSerializer(many=True, help_text="No active booking and no maintenance.")
    bookable = TimeIntervalSerializer(many=True, help_text="One more booking fits: overlap depth below capacity, no maintenance.")


class AvailabilitySerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    devices = DeviceAvailabilitySerializer(many=True)


class NextSlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField(allow_null=True, help_text="Null when no window fits within the horizon.")
    end = serializers.DateTimeField(allow_null=True)
    duration = serializers.IntegerField(help_text="Minutes.")
    devices = serializers.ListField(child=serializers.IntegerField())


class ScheduleDeviceTypeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ScheduleBookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    status = serializers.CharField()
    owner = BookingOwnerSerializer(source="*")
    group = serializers.IntegerField(source="group_id")


class ScheduleMaintenanceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField()


class ScheduleDeviceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    device_type = ScheduleDeviceTypeSerializer()
    site = serializers.CharField(allow_null=True, help_text="Site name.")
    capacity = serializers.IntegerField()
    status = serializers.CharField()
    bookable = serializers.BooleanField()
    bookings = ScheduleBookingSerializer(many=True)
    maintenance = ScheduleMaintenanceSerializer(many=True)


class ScheduleSerializer(serializers.Serializer):
    """Shape of the schedule answer (the view renders it directly, see `schedule_as_dict`)."""

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    timezone = serializers.CharField()
    devices = ScheduleDeviceSerializer(many=True)


class PortAccessSerializer(serializers.Serializer):
    port = serializers.CharField(help_text="The port's label as stored.")
    device = DeviceBriefSerializer()
    holders = serializers.ListField(child=serializers.CharField(), help_text="Owners of confirmed bookings covering `at`.")
    usable = serializers.BooleanField()
    maintenance_until = serializers.DateTimeField(
        allow_null=True, help_text="End of the device's maintenance covering `at` (null when none)."
    )
    reason = serializers.CharField(
        help_text='Why the port is not usable ("maintenance until 18:00 on 3 Dec 2026 (Europe/Dublin): …", '
        '"held by alice"); empty when usable.'
    )


class AccessResultSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    at = serializers.DateTimeField()
    ports = PortAccessSerializer(many=True)
    unknown = serializers.ListField(child=serializers.CharField())


class FavoriteSerializer(serializers.ModelSerializer):
    devices = DeviceBriefSerializer(many=True, read_only=True)

    class Meta:
        model = Favorite
        fields = ["id", "name", "devices", "created_at"]


class FavoriteWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    devices = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False, max_length=MAX_FAVORITE_DEVICES,
        help_text="Device ids.",
    )

    def validate_devices(self, ids):
        """Resolve the ids in one query; name the unknown ones."""
        ids = list(dict.fromkeys(ids))
        devices = Device.objects.in_bulk(ids)
        missing = [str(pk) for pk in ids if pk not in devices]
        if missing:
            raise serializers.ValidationError(f"No device with id {', '.join(missing)}.")
        return [devices[pk] for pk in ids]
