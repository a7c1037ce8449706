"""Strict query filters (django-filter) shared by the apps' APIs and pages.

A value that is not what the filter documents is a 400, never silently ignored: `?mine=-1.5e308`
listed every row and `?mine=true` none, because django-filter's boolean widget turns any
unknown text into "no filter". Ids are whole numbers in the database's range; an id that names
nothing filters to nothing (it is not an error, so the schema's integer is the whole contract).
"""

import django_filters
from django import forms
from drf_spectacular.utils import extend_schema_field

from core.form_fields import MAX_ID

TRUE_VALUES = {"true", "1", "yes", "on"}
FALSE_VALUES = {"false", "0", "no", "off"}


EMPTY_MESSAGE = "Give a value, or leave the parameter out."


class StrictFilterSet(django_filters.FilterSet):
    """A parameter given with an empty value (`?start=`) is a 400 unless the filter takes text.

    django-filter reads an empty value as "no filter", so `?start=` or `?device=` silently answered
    the unfiltered list.
    """

    def is_valid(self):
        valid = super().is_valid()
        for name, filter_ in self.filters.items():
            if isinstance(filter_, django_filters.CharFilter) or name not in self.data:
                continue
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if any(str(value).strip() == "" for value in values):
                self.form.add_error(name, EMPTY_MESSAGE)
                valid = False
        return valid


class StrictBooleanField(forms.Field):
    widget = forms.TextInput

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")


@extend_schema_field({"type": "boolean"})
class StrictBooleanFilter(django_filters.BooleanFilter):
    """true/false (also 1/0, yes/no, on/off); anything else is a 400."""

    field_class = StrictBooleanField


class StrictIdField(forms.IntegerField):
    default_error_messages = {"invalid": "Give a whole number from 1 (an id)."}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        text = str(value).strip() if value is not None else ""
        if text and not (text.isascii() and text.isdigit()):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number from 1 within the database's integer range."""

    field_class = StrictIdField


class IdListField(forms.Field):
    """Repeated ids (`device=1&device=2`), each a whole number from 1 within the id range."""

    widget = forms.SelectMultiple

    def to_python(self, value):
        if value in (None, "", [], ()):
            return []
        values = value if isinstance(value, list | tuple) else [value]
        ids = []
        for item in values:
            text = str(item).strip()
            if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
                raise forms.ValidationError(f"“{item}” is not an id: give whole numbers from 1.", code="invalid")
            ids.append(int(text))
        return ids


@extend_schema_field({"type": "array", "items": {"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_ID}})
class IdListFilter(django_filters.Filter):
    """Rows whose `field_name` is any of the ids given; unknown ids simply match nothing."""

    field_class = IdListField

    def filter(self, qs, value):
        if not value:
            return qs
        qs = qs.filter(**{f"{self.field_name}__in": value})
        return qs.distinct() if self.distinct else qs
