"""Query-string serializers: a parameter given empty (`?start=`) is a 400, not silently "not given"."""

from django.db import models
from rest_framework import serializers

from core.query_filters import EMPTY_MESSAGE


class QuerySerializer(serializers.Serializer):
    def to_internal_value(self, data):
        if hasattr(data, "getlist"):
            empty = {
                name: [EMPTY_MESSAGE]
                for name, field in self.fields.items()
                if name in data and not getattr(field, "allow_blank", False)
                and any(str(value).strip() == "" for value in data.getlist(name))
            }
            if empty:
                raise serializers.ValidationError(empty)
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """Text that must arrive as a JSON string: DRF would turn 0 or 1.5 into "0" and "1.5"."""

    default_error_messages = {"not_a_string": "Give text (a JSON string)."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false as JSON booleans: DRF would also take 0, 1, "yes" and "off"."""

    default_error_messages = {"invalid": "Give true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose text and yes/no fields take only JSON strings and booleans (the schema's types)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
    }
