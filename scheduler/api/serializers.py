"""Scheduler API shapes: full reads with brief nested objects, separate inputs for writes."""

from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.cached_fields import CachedFieldsMixin
from inventory.api.serializers import UserBriefSerializer
from inventory.models import Device
from scheduler import booking_rules
from scheduler.models import Booking, BookingGroup, MaintenanceWindow
from scheduler.services.booking import MAX_COLLABORATORS, MAX_ITEMS, lab_zone
from scheduler.validators import LAB_YEARS_PATTERN, OUT_OF_RANGE_MESSAGE, validate_lab_date


class BookedDeviceSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    """The device of a booking or window, briefly, with its type's name."""

    device_type = serializers.CharField(source="device_type.name", read_only=True)

    class Meta:
        model = Device
        fields = ["id", "name", "device_type"]


class BookingSerializer(CachedFieldsMixin, serializers.ModelSerializer):
    """A booking; times carry their UTC offset in the lab's zone."""

    device = BookedDeviceSerializer(read_only=True)
    owner = UserBriefSerializer(source="group.owner", read_only=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Booking
        fields = ["id", "group", "device", "owner", "start", "end", "status", "decided_by", "decided_at",
                  "decision_note", "created_at", "updated_at"]
        read_only_fields = fields


class GroupBookingSerializer(serializers.ModelSerializer):
    """A booking inside its session (owner and group are on the session)."""

    device = BookedDeviceSerializer(read_only=True)
    decided_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Booking
        fields = ["id", "device", "start", "end", "status", "decided_by", "decided_at", "decision_note"]
        read_only_fields = fields


class BookingGroupSerializer(serializers.ModelSerializer):
    owner = UserBriefSerializer(read_only=True)
    collaborators = UserBriefSerializer(many=True, read_only=True)
    bookings = GroupBookingSerializer(many=True, read_only=True)

    class Meta:
        model = BookingGroup
        fields = ["id", "owner", "collaborators", "message", "created_at", "bookings"]
        read_only_fields = fields


class MaintenanceWindowSerializer(serializers.ModelSerializer):
    device = BookedDeviceSerializer(read_only=True)
    created_by = UserBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = MaintenanceWindow
        fields = ["id", "device", "start", "end", "reason", "created_by", "created_at"]
        read_only_fields = fields


# --- inputs -------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "format": "date-time", "pattern": LAB_YEARS_PATTERN})
class LabDateTimeField(serializers.DateTimeField):
    """ISO 8601 input; a time without an offset is the lab's wall clock, and a wall-clock time the
    spring DST change skips is refused instead of being shifted silently. Moments outside the
    scheduler's calendar (2000–2099) are refused before any arithmetic can overflow. The value is
    the instant in UTC (see booking_rules.to_utc)."""

    def enforce_timezone(self, value):
        try:
            validate_lab_date(value)
        except DjangoValidationError:
            raise serializers.ValidationError(OUT_OF_RANGE_MESSAGE, code="out_of_range") from None
        if timezone.is_naive(value):
            try:
                value = booking_rules.read_in_zone(value, lab_zone())
            except ValueError as exc:
                raise serializers.ValidationError(str(exc)) from exc
        # An instant, in UTC: values that share the lab's tzinfo would compare by their wall reading.
        return super().enforce_timezone(value).astimezone(UTC)


class _NoStatusMixin:
    """Clients never choose a status: a `status` key is refused, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict) and "status" in data:
            raise serializers.ValidationError({"status": ["The server sets the status; leave it out."]})
        return super().to_internal_value(data)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": 2**63 - 1})
class DeviceIdField(serializers.PrimaryKeyRelatedField):
    """A device id, checked for shape only; a session's serializer checks that the devices exist in one
    query (`_missing_devices`); a single booking's device is read by the booking service under its lock
    (an unknown one becomes the same field error: see `device_does_not_exist`)."""

    MAX_ID = 2**63 - 1

    def to_internal_value(self, data):
        if isinstance(data, float) and data.is_integer():
            data = int(data)
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 1 <= pk <= self.MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return pk


def _missing_devices(ids) -> set[int]:
    ids = set(ids)
    return ids - set(Device.objects.filter(pk__in=ids).order_by().values_list("pk", flat=True))


def _does_not_exist(pk) -> str:
    return serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"].format(pk_value=pk)


def device_does_not_exist(pk) -> serializers.ValidationError | None:
    """The 400 for a single booking's unknown device, or None when it exists (one query; callers ask only
    after the booking service refused the request, so a successful request never pays for it)."""
    if _missing_devices([pk]):
        return serializers.ValidationError({"device": [_does_not_exist(pk)]})
    return None


class _ItemsExistMixin:
    """One query for the devices of every item; unknown ones are field errors (400) of their items."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        missing = _missing_devices(item["device"] for item in attrs["items"])
        if missing:
            raise serializers.ValidationError({"items": [
                {"device": [_does_not_exist(item["device"])]} if item["device"] in missing else {}
                for item in attrs["items"]
            ]})
        return attrs


class BookingItemInputSerializer(CachedFieldsMixin, _NoStatusMixin, serializers.Serializer):
    device = DeviceIdField(queryset=Device.objects.all())
    start = LabDateTimeField(help_text="ISO 8601; without an offset it is read in the lab's time zone.")
    end = LabDateTimeField(help_text="ISO 8601; without an offset it is read in the lab's time zone.")


class BookingCreateInputSerializer(BookingItemInputSerializer):
    """One booking; its device's existence is checked by the view after the service (device_does_not_exist)."""

    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BookingGroupCreateInputSerializer(_ItemsExistMixin, _NoStatusMixin, serializers.Serializer):
    items = BookingItemInputSerializer(many=True, min_length=1, max_length=MAX_ITEMS)
    collaborators = serializers.ListField(child=serializers.CharField(max_length=150, allow_blank=True),
                                          required=False, default=list, max_length=MAX_COLLABORATORS)
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class BookingPreviewInputSerializer(_ItemsExistMixin, serializers.Serializer):
    items = BookingItemInputSerializer(many=True, min_length=1, max_length=MAX_ITEMS)


class ItemCheckSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    device = BookedDeviceSerializer(allow_null=True)
    start = LabDateTimeField()
    end = LabDateTimeField()
    outcome = serializers.ChoiceField(choices=["free", "conflicting", "refused"])
    reason = serializers.CharField()
    code = serializers.CharField()


class EndInputSerializer(serializers.Serializer):
    end = LabDateTimeField(help_text="The new end (ISO 8601).")


class StartInputSerializer(serializers.Serializer):
    start = LabDateTimeField(help_text="The start of the copy (ISO 8601).")


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class CollaboratorsInputSerializer(serializers.Serializer):
    collaborators = serializers.ListField(child=serializers.CharField(max_length=150, allow_blank=True),
                                          max_length=MAX_COLLABORATORS)


class MaintenanceWindowInputSerializer(serializers.Serializer):
    device = serializers.PrimaryKeyRelatedField(queryset=Device.objects.all())
    start = LabDateTimeField()
    end = LabDateTimeField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    cancel_confirmed = serializers.BooleanField(
        required=False, default=False, help_text="Cancel the confirmed bookings the window hits instead of refusing."
    )


# --- error shapes (for the schema) ---------------------------------------------------------------


class ConflictEntrySerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="Index of the failing item in the request.")
    device = serializers.IntegerField()
    device_name = serializers.CharField(required=False)
    booking = serializers.IntegerField(required=False)
    reason = serializers.CharField(help_text="validation | capacity | maintenance | unavailable | own_overlap | limit | status | confirmed_booking")
    message = serializers.CharField()


class ConflictResponseSerializer(serializers.Serializer):
    detail = serializers.CharField()
    conflicts = ConflictEntrySerializer(many=True)


class ErrorResponseSerializer(serializers.Serializer):
    detail = serializers.CharField()
