"""Topology API shapes (DESIGN §10): the topology, resolve / earliest / book inputs and answers.

Nodes and links are checked by `scheduler.topology.spec` (a 400 naming the node or link), so the
serializers here take them as JSON and only document their shape for the OpenAPI schema.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.query import StrictBooleanField, StrictCharField
from core.form_fields import MAX_ID
from inventory.api.serializers import UserBriefSerializer
from scheduler.api.serializers import BookingGroupSerializer, LabDateTimeField
from scheduler.topology.models import PortReservation, Topology


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": 1, "maximum": MAX_ID}, {"type": "string"}],
                     "nullable": True})
class DeviceTypeRefField(serializers.Field):
    """A device type by id or by name (writes); stored and answered as an id."""


class NodeShapeSerializer(serializers.Serializer):
    """A node gives `device_type` (any free device of the type) or `device` (pinned), not both or neither."""

    key = serializers.CharField(help_text="Unique within the topology, e.g. \"A\" or \"roadm1\".")
    device_type = DeviceTypeRefField(allow_null=True, required=False, help_text="Device type id (a name is accepted in writes); null when pinned.")
    device = serializers.IntegerField(allow_null=True, required=False, min_value=1, max_value=MAX_ID, help_text="Pinned device id; null when typed.")
    site = serializers.IntegerField(allow_null=True, required=False, min_value=1, max_value=MAX_ID, help_text="Only devices of this site (id).")
    tag = serializers.IntegerField(allow_null=True, required=False, min_value=1, max_value=MAX_ID, help_text="Only devices with this tag (id).")
    params = serializers.DictField(required=False, allow_null=True, help_text="Free-form parameters (wavelength, gain, ...); null is none.")


class LinkShapeSerializer(serializers.Serializer):
    a = serializers.CharField(help_text="Node key of one end.")
    b = serializers.CharField(help_text="Node key of the other end.")
    fixed_only = serializers.BooleanField(default=False, help_text="Must be realised by a fixed Link, not the switch.")
    notes = serializers.CharField(required=False, allow_blank=True)


@extend_schema_field(NodeShapeSerializer(many=True))
class NodesField(serializers.JSONField):
    pass


@extend_schema_field(LinkShapeSerializer(many=True))
class LinksField(serializers.JSONField):
    pass


class TopologySerializer(serializers.ModelSerializer):
    owner = UserBriefSerializer(read_only=True)
    nodes = NodesField(read_only=True)
    links = LinksField(read_only=True)

    class Meta:
        model = Topology
        fields = ["id", "name", "description", "owner", "nodes", "links", "source_group", "created_at", "updated_at"]
        read_only_fields = fields


class TopologyWriteSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    description = StrictCharField(max_length=4000, required=False, allow_blank=True, default="")
    nodes = NodesField(help_text="At most 100 nodes.")
    links = LinksField(required=False, default=list)


class TopologyCopySerializer(serializers.Serializer):
    name = StrictCharField(max_length=100, required=False, help_text="Default: \"Copy of <name>\".")


class TopologyFromPatchListSerializer(serializers.Serializer):
    name = StrictCharField(max_length=100)
    patch_list = StrictCharField(max_length=100_000, help_text="Any format the patch-list page accepts.")
    pin = StrictBooleanField(default=True, help_text="Pin the devices (true) or keep only their types (false).")


class TopologyFromSessionSerializer(serializers.Serializer):
    group = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="Id of a session you may see.")
    name = StrictCharField(max_length=100, required=False)
    pin = StrictBooleanField(default=True)


# --- resolve / earliest --------------------------------------------------------------------------


class ResolveInputSerializer(serializers.Serializer):
    start = LabDateTimeField()
    end = LabDateTimeField()
    k = serializers.IntegerField(min_value=1, max_value=10, default=3, help_text="Mappings wanted (at most 10).")


class EarliestInputSerializer(serializers.Serializer):
    duration = serializers.IntegerField(min_value=1, max_value=60 * 24 * 366, help_text="Minutes.")
    after = LabDateTimeField(required=False, help_text="Default: now.")
    before = LabDateTimeField(required=False, help_text="Latest start; default: the policy's horizon.")
    k = serializers.IntegerField(min_value=1, max_value=5, default=1)


class MappedNodeSerializer(serializers.Serializer):
    key = serializers.CharField()
    device = serializers.IntegerField()
    device_name = serializers.CharField()
    alternatives = serializers.ListField(child=serializers.IntegerField(), help_text="Up to 3 other devices for this node that keep the rest valid.")
    reasons = serializers.DictField(child=serializers.CharField(), required=False, help_text="Why each alternative ranks lower (by device id).")


class MappedLinkSerializer(serializers.Serializer):
    a = serializers.CharField()
    b = serializers.CharField()
    ports = serializers.ListField(child=serializers.IntegerField(), help_text="[port of a's device, port of b's device].")
    port_names = serializers.ListField(child=serializers.CharField())
    switch = serializers.IntegerField(allow_null=True)
    link = serializers.IntegerField(allow_null=True)
    cross_connects = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()),
                                           help_text="[[in, out], [in, out]] on the switch (both directions).")


class MappingSerializer(serializers.Serializer):
    score = serializers.FloatField(help_text="0..1, higher is better; the weighted mean of score_parts.")
    score_parts = serializers.DictField(child=serializers.FloatField())
    nodes = MappedNodeSerializer(many=True)
    links = MappedLinkSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    node = serializers.CharField(required=False)


class ResolveOutputSerializer(serializers.Serializer):
    feasible = serializers.BooleanField()
    mappings = MappingSerializer(many=True)
    reasons = ReasonSerializer(many=True)


class WindowSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    mapping = MappingSerializer()


class EarliestOutputSerializer(serializers.Serializer):
    windows = WindowSerializer(many=True)
    reasons = ReasonSerializer(many=True)


# --- book ----------------------------------------------------------------------------------------


class BookNodeSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=50)
    device = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class BookLinkSerializer(serializers.Serializer):
    a = serializers.CharField(max_length=50)
    b = serializers.CharField(max_length=50)
    ports = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=2, max_length=2)


class BookMappingSerializer(serializers.Serializer):
    nodes = BookNodeSerializer(many=True, max_length=100)
    links = BookLinkSerializer(many=True, max_length=400, required=False, default=list)


class BookInputSerializer(serializers.Serializer):
    start = LabDateTimeField()
    end = LabDateTimeField()
    mapping = BookMappingSerializer()
    collaborators = serializers.ListField(child=serializers.CharField(max_length=150), required=False, default=list, max_length=50)
    message = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class PortReservationSerializer(serializers.ModelSerializer):
    port_name = serializers.CharField(source="port.name", read_only=True)

    class Meta:
        model = PortReservation
        fields = ["id", "port", "port_name", "peer", "side", "a_key", "b_key", "switch", "link", "start", "end", "active"]
        read_only_fields = fields


class BookedTopologySerializer(BookingGroupSerializer):
    port_reservations = PortReservationSerializer(many=True, read_only=True)

    class Meta(BookingGroupSerializer.Meta):
        fields = [*BookingGroupSerializer.Meta.fields, "port_reservations"]
        read_only_fields = fields
