"""Inventory API serializers.

Reads nest brief objects (`{id, name, ...}`); writes take ids. Objects with relations have a read
serializer and a separate `...WriteSerializer`; the catalogues (types, manufacturers, sites, tags)
use one serializer both ways. Uniqueness that DRF cannot see (case-insensitive port labels) is checked
here for a field-keyed 400, and again by `full_clean()` in the services.
"""

from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from core.api.cached_fields import CachedFieldsMixin
from core.api.query import StrictModelSerializer
from inventory.choices import DeviceStatus
from inventory.models import (
    Attachment,
    Device,
    DeviceHistory,
    DeviceType,
    Link,
    Manufacturer,
    Outlet,
    Pdu,
    Port,
    Site,
    Tag,
)

# Database ranges, stated so SQLite (which has none) refuses the same values as PostgreSQL.
SMALL_MAX = 32767
INTEGER_MAX = 2**31 - 1

# --- brief objects, nested in reads -------------------------------------------------------------


class UserBriefSerializer(CachedFieldsMixin, StrictModelSerializer):
    class Meta:
        model = get_user_model()
        fields = ["id", "username"]


class DeviceTypeBriefSerializer(StrictModelSerializer):
    class Meta:
        model = DeviceType
        fields = ["id", "name", "category"]


class ManufacturerBriefSerializer(StrictModelSerializer):
    class Meta:
        model = Manufacturer
        fields = ["id", "name"]


class SiteBriefSerializer(StrictModelSerializer):
    class Meta:
        model = Site
        fields = ["id", "name"]


class TagBriefSerializer(StrictModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "color"]


class PortBriefSerializer(StrictModelSerializer):
    class Meta:
        model = Port
        fields = ["id", "name", "switch_in", "switch_out"]


class DeviceBriefSerializer(StrictModelSerializer):
    class Meta:
        model = Device
        fields = ["id", "name", "status"]


# --- catalogues ---------------------------------------------------------------------------------


class DeviceTypeSerializer(StrictModelSerializer):
    device_count = serializers.IntegerField(read_only=True, help_text="Devices of this type.")

    class Meta:
        model = DeviceType
        fields = ["id", "name", "category", "description", "is_schedulable", "has_ports", "default_capacity",
                  "requires_approval", "device_count"]
        extra_kwargs = {"default_capacity": {"min_value": 1, "max_value": SMALL_MAX}}


_URL_VALIDATOR = URLValidator(message="Enter a valid URL.")


def _website_validate(value: str) -> None:
    """A URLValidator behind a function, so that the schema does not say `format: uri` for a field that may be ""."""
    _URL_VALIDATOR(value)


class ManufacturerSerializer(StrictModelSerializer):
    device_count = serializers.IntegerField(read_only=True)
    # A CharField checked as a URL: its schema then has no `format: uri`, which the allowed "" breaks.
    website = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                    validators=[_website_validate],
                                    help_text="A URL (http or https), or empty.")

    class Meta:
        model = Manufacturer
        fields = ["id", "name", "website", "notes", "device_count"]


class SiteSerializer(StrictModelSerializer):
    device_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Site
        fields = ["id", "name", "address", "notes", "device_count"]


class TagSerializer(StrictModelSerializer):
    device_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Tag
        fields = ["id", "name", "color", "description", "device_count"]


# --- devices ------------------------------------------------------------------------------------


class DeviceSerializer(StrictModelSerializer):
    """A device as read: related objects nested brief, its ports, and the booking figures."""

    device_type = DeviceTypeBriefSerializer()
    manufacturer = ManufacturerBriefSerializer(allow_null=True)
    site = SiteBriefSerializer(allow_null=True)
    tags = TagBriefSerializer(many=True)
    ports = PortBriefSerializer(many=True)
    created_by = UserBriefSerializer(allow_null=True)
    updated_by = UserBriefSerializer(allow_null=True)
    effective_capacity = serializers.IntegerField(help_text="Most bookings that may overlap on this device.")
    is_bookable = serializers.BooleanField(help_text="Available and of a schedulable type.")

    class Meta:
        model = Device
        fields = ["id", "name", "device_type", "manufacturer", "model", "serial_number", "oi_id", "status", "site",
                  "rack", "u_position", "hostname", "mgmt_ip", "owner_group", "notes", "tags", "capacity",
                  "effective_capacity", "is_bookable", "ports", "created_at", "updated_at", "created_by",
                  "updated_by"]
        read_only_fields = fields


class DeviceWriteSerializer(StrictModelSerializer):
    """A device as written: related objects by id, `tags` a list of tag ids (replaces the device's tags)."""

    status = serializers.ChoiceField(choices=DeviceStatus.choices, default=DeviceStatus.AVAILABLE)
    mgmt_ip = serializers.IPAddressField(allow_null=True, allow_blank=True, required=False,
                                         help_text="IPv4 or IPv6 address; empty or null clears it.")

    class Meta:
        model = Device
        fields = ["name", "device_type", "manufacturer", "model", "serial_number", "oi_id", "status", "site",
                  "rack", "u_position", "hostname", "mgmt_ip", "owner_group", "notes", "tags", "capacity"]
        extra_kwargs = {"capacity": {"min_value": 1, "max_value": SMALL_MAX}, "u_position": {"max_value": SMALL_MAX}}

    def validate_mgmt_ip(self, value):
        return value or None


# --- ports --------------------------------------------------------------------------------------


class PortSerializer(StrictModelSerializer):
    device = DeviceBriefSerializer()
    switch = DeviceBriefSerializer(allow_null=True, help_text="The switch device the port is patched into, or null.")

    class Meta:
        model = Port
        fields = ["id", "device", "name", "switch", "switch_in", "switch_out", "description"]
        read_only_fields = fields


class PortWriteSerializer(StrictModelSerializer):
    class Meta:
        model = Port
        fields = ["device", "name", "switch", "switch_in", "switch_out", "description"]
        extra_kwargs = {"switch_in": {"max_value": INTEGER_MAX}, "switch_out": {"max_value": INTEGER_MAX}}

    def validate_name(self, value):
        others = Port.objects.filter(name__iexact=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        clash = others.select_related("device").first()
        if clash is not None:
            raise serializers.ValidationError(
                f"Port label {clash.name} is already used on {clash.device.name} (labels are unique in any case)."
            )
        return value

    def validate(self, attrs):
        """Switch numbers are unique per switch (and among ports whose switch is not recorded)."""
        def current(name):
            return attrs[name] if name in attrs else getattr(self.instance, name, None)

        switch = current("switch")
        errors = {}
        for name in ("switch_in", "switch_out"):
            number = current(name)
            if number is None:
                continue
            others = Port.objects.filter(switch=switch, **{name: number}).select_related("device")
            if self.instance is not None:
                others = others.exclude(pk=self.instance.pk)
            clash = others.first()
            if clash is not None:
                where = f"of {switch.name}" if switch else "(no switch recorded)"
                errors[name] = f"Switch port {number} {where} is already used by port {clash.name} of {clash.device.name}."
        if switch is not None and current("device") is not None and switch.pk == current("device").pk:
            errors["switch"] = "A port cannot be patched into its own device."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class LinkPortSerializer(serializers.ModelSerializer):
    device = DeviceBriefSerializer()

    class Meta:
        model = Port
        fields = ["id", "name", "device"]


class LinkSerializer(serializers.ModelSerializer):
    a = LinkPortSerializer(help_text="One end (a port).")
    b = LinkPortSerializer(help_text="The other end (a port).")

    class Meta:
        model = Link
        fields = ["id", "a", "b", "length_km", "loss_db", "notes"]
        read_only_fields = fields


class LinkWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Link
        fields = ["a", "b", "length_km", "loss_db", "notes"]
        extra_kwargs = {"a": {"help_text": "Port id of one end."}, "b": {"help_text": "Port id of the other end."}}


class CsvUploadSerializer(serializers.Serializer):
    csv = serializers.CharField(help_text="The CSV text, header row first.", max_length=2_000_000, trim_whitespace=False)
    dry_run = serializers.BooleanField(default=False, help_text="Check and count only; change nothing.")


class CsvImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.CharField(), help_text="\"line N: reason\" for each bad row.")


# --- history and attachments --------------------------------------------------------------------


class DeviceHistorySerializer(StrictModelSerializer):
    actor = UserBriefSerializer(allow_null=True)
    device = serializers.IntegerField(source="device_id", help_text="Id of the device (it may since have been deleted).")

    class Meta:
        model = DeviceHistory
        fields = ["id", "device", "device_name", "action", "field", "old_value", "new_value", "actor", "created_at"]
        read_only_fields = fields


class AttachmentSerializer(StrictModelSerializer):
    device = DeviceBriefSerializer()
    uploaded_by = UserBriefSerializer(allow_null=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "device", "original_name", "content_type", "size", "uploaded_by", "uploaded_at",
                  "download_url"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, obj) -> str:
        url = reverse("inventory-api:attachment-download", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The file, sent as multipart/form-data.")


# --- stats --------------------------------------------------------------------------------------


class StatusCountSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DeviceStatus.choices)
    label = serializers.CharField()
    count = serializers.IntegerField()


class GroupCountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    count = serializers.IntegerField()


@extend_schema_serializer(many=False)  # the answer of a ViewSet's `list`, but one object, not a page
class InventoryStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="All devices.")
    by_status = StatusCountSerializer(many=True, help_text="Every status, with 0 when no device has it.")
    by_device_type = GroupCountSerializer(many=True, help_text="Every device type, with 0 when unused.")
    by_site = GroupCountSerializer(many=True, help_text="Every site, with 0 when empty.")
    without_site = serializers.IntegerField(help_text="Devices with no site.")


# --- power: PDUs and outlets ---------------------------------------------------------------------


class PduSerializer(serializers.ModelSerializer):
    """A PDU's connection settings and latest readings. The password itself appears nowhere."""

    device = DeviceBriefSerializer()

    class Meta:
        model = Pdu
        fields = ["id", "device", "host", "port", "scheme", "username", "password_env", "verify_tls", "outlet_count",
                  "active_power_w", "active_energy_wh", "read_at", "last_error", "failures", "retry_at"]
        read_only_fields = fields


class PduWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Pdu
        fields = ["device", "host", "port", "scheme", "username", "password_env", "verify_tls", "outlet_count"]


class PduBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="device.name", read_only=True)

    class Meta:
        model = Pdu
        fields = ["id", "name"]


class OutletSerializer(serializers.ModelSerializer):
    pdu = PduBriefSerializer()
    device = DeviceBriefSerializer(allow_null=True)

    class Meta:
        model = Outlet
        fields = ["id", "pdu", "number", "name", "device", "mode", "state", "power_w", "current_a", "read_at"]
        read_only_fields = fields


class OutletWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["pdu", "number", "name", "device", "mode"]
        extra_kwargs = {"number": {"min_value": 1, "max_value": 64}}

    def validate(self, attrs):
        pdu = attrs.get("pdu", getattr(self.instance, "pdu", None))
        number = attrs.get("number", getattr(self.instance, "number", None))
        if pdu is not None and number is not None and number > pdu.outlet_count:
            raise serializers.ValidationError(
                {"number": f"{pdu} has {pdu.outlet_count} outlets; pick a number from 1 to {pdu.outlet_count}."}
            )
        return attrs
