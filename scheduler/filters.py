"""Query filters of the scheduler API."""

from datetime import UTC

import django_filters
from django import forms
from django.db.models import Q

from core.query_filters import IdFilter, StrictBooleanFilter, StrictFilterSet
from core.roles import can_decide_requests
from scheduler.choices import BookingStatus
from scheduler.models import Booking, BookingGroup, MaintenanceWindow
from scheduler.selectors.bookings import booking_group_ids_of


class StorableIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time that the database can compare with (it is stored in UTC). Handed over in UTC:
    PostgreSQL refuses offsets beyond ±15:59 (a DataError, 500) that Python and ISO 8601 accept."""

    def clean(self, value):
        value = super().clean(value)
        if value is not None:
            try:
                value = value.astimezone(UTC)
            except OverflowError as exc:
                raise forms.ValidationError("Pick a time between the years 1 and 9999.", code="invalid") from exc
        return value


class StorableIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = StorableIsoDateTimeField


class WindowFilterSet(StrictFilterSet):
    """`start`/`end` select rows whose window overlaps [start, end) (either bound may be left out)."""

    start = StorableIsoDateTimeFilter(field_name="end", lookup_expr="gt", label="Overlapping a window from (ISO 8601)")
    end = StorableIsoDateTimeFilter(field_name="start", lookup_expr="lt", label="Overlapping a window until (ISO 8601)")


def _mine(filterset, queryset, field: str, value):
    """`mine`: sessions the caller owns or collaborates on (a member sees only those anyway)."""
    if value is None:
        return queryset
    user = filterset.request.user
    if not can_decide_requests(user):
        return queryset if value else queryset.none()
    mine = Q(**{f"{field}__in": booking_group_ids_of(user=user)})
    return queryset.filter(mine) if value else queryset.exclude(mine)


class BookingFilter(WindowFilterSet):
    device = IdFilter(field_name="device_id", label="Device id")
    status = django_filters.MultipleChoiceFilter(choices=BookingStatus.choices)
    owner = IdFilter(field_name="group__owner_id", label="Owner's user id")
    group = IdFilter(field_name="group_id", label="Session id")
    mine = StrictBooleanFilter(method="filter_mine", label="Only my sessions (owned or shared with me)")

    class Meta:
        model = Booking
        fields = ["device", "status", "owner", "group", "mine", "start", "end"]

    def filter_mine(self, queryset, name, value):
        return _mine(self, queryset, "group_id", value)


class BookingGroupFilter(StrictFilterSet):
    owner = IdFilter(field_name="owner_id", label="Owner's user id")
    mine = StrictBooleanFilter(method="filter_mine", label="Only my sessions (owned or shared with me)")

    class Meta:
        model = BookingGroup
        fields = ["owner", "mine"]

    def filter_mine(self, queryset, name, value):
        return _mine(self, queryset, "pk", value)


class MaintenanceWindowFilter(WindowFilterSet):
    device = IdFilter(field_name="device_id", label="Device id")

    class Meta:
        model = MaintenanceWindow
        fields = ["device", "start", "end"]
