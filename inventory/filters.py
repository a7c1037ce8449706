"""Query-string filters of the inventory lists (django-filter), shared by the API and the pages."""

import django_filters
from django.db.models import Q

from core.api.filtering import ListOrderingFilter
from core.query_filters import IdListFilter, StrictBooleanFilter, StrictFilterSet
from inventory.choices import DeviceCategory, DeviceStatus, OutletMode, PduScheme, PowerState
from inventory.models import Attachment, Device, DeviceType, Link, Manufacturer, Outlet, Pdu, Port, Site, Tag
from inventory.selectors import device_search, port_search, search_terms

Q_HELP = "Case-insensitive text search; separate several terms with commas to match any of them."


class NameSearchFilterSet(StrictFilterSet):
    """Catalogue lists: `q` matches the name (comma-separated terms are OR'ed)."""

    q = django_filters.CharFilter(method="filter_q", label="Search", help_text=Q_HELP)

    def filter_q(self, queryset, name, value):
        match = Q()
        for term in search_terms(value):
            match |= Q(name__icontains=term)
        return queryset.filter(match) if match else queryset


class DeviceTypeFilterSet(NameSearchFilterSet):
    category = django_filters.MultipleChoiceFilter(choices=DeviceCategory.choices)
    is_schedulable = StrictBooleanFilter()
    has_ports = StrictBooleanFilter()
    requires_approval = StrictBooleanFilter()

    class Meta:
        model = DeviceType
        fields = ["category", "is_schedulable", "has_ports", "requires_approval"]


class ManufacturerFilterSet(NameSearchFilterSet):
    class Meta:
        model = Manufacturer
        fields = []


class SiteFilterSet(NameSearchFilterSet):
    class Meta:
        model = Site
        fields = []


class TagFilterSet(NameSearchFilterSet):
    class Meta:
        model = Tag
        fields = []


class DeviceFilterSet(StrictFilterSet):
    """Device list filters. Repeating a filter (`status=a&status=b`) matches any of the values."""

    device_type = IdListFilter(field_name="device_type_id", help_text="Device type id.")
    status = django_filters.MultipleChoiceFilter(choices=DeviceStatus.choices)
    site = IdListFilter(field_name="site_id", help_text="Site id.")
    manufacturer = IdListFilter(field_name="manufacturer_id", help_text="Manufacturer id."
    )
    tag = IdListFilter(field_name="tags", method="filter_tag", help_text="Tag id; devices carrying any of the tags."
    )
    bookable = StrictBooleanFilter(
        method="filter_bookable", help_text="true: available devices of a schedulable type; false: all others."
    )
    q = django_filters.CharFilter(
        method="filter_q", label="Search",
        help_text="Searches name, asset id, serial number, hostname, management IP and port labels. " + Q_HELP,
    )

    class Meta:
        model = Device
        fields = ["device_type", "status", "site", "manufacturer", "tag", "bookable", "q"]

    def filter_tag(self, queryset, name, value):
        if not value:
            return queryset
        # A subquery, not a join: a device with two matching tags stays one row.
        links = Device.tags.through.objects.filter(tag_id__in=value).values("device_id")
        return queryset.filter(pk__in=links)

    def filter_bookable(self, queryset, name, value):
        bookable = Q(status=DeviceStatus.AVAILABLE, device_type__is_schedulable=True)
        return queryset.filter(bookable if value else ~bookable)

    def filter_q(self, queryset, name, value):
        return device_search(q=value, queryset=queryset)


class PortFilterSet(StrictFilterSet):
    device = IdListFilter(field_name="device_id", help_text="Device id.")
    switch = IdListFilter(field_name="switch_id", help_text="Id of the switch the port is patched into.")
    q = django_filters.CharFilter(method="filter_q", label="Search", help_text="Searches label and description. " + Q_HELP)

    class Meta:
        model = Port
        fields = ["device", "switch", "q"]

    def filter_q(self, queryset, name, value):
        return port_search(q=value, queryset=queryset)


class LinkFilterSet(StrictFilterSet):
    device = IdListFilter(method="filter_device", help_text="Links with an end on this device (id).")
    port = IdListFilter(method="filter_port", help_text="Links with this port (id) as an end.")

    class Meta:
        model = Link
        fields = ["device", "port"]

    def filter_device(self, queryset, name, value):
        return queryset.filter(Q(a__device__in=value) | Q(b__device__in=value)) if value else queryset

    def filter_port(self, queryset, name, value):
        return queryset.filter(Q(a__in=value) | Q(b__in=value)) if value else queryset


class PduFilterSet(StrictFilterSet):
    """PDUs by their device and scheme; an id that names no row matches nothing (as on every list)."""

    device = IdListFilter(field_name="device_id", help_text="The PDU's own device (id).")
    scheme = django_filters.MultipleChoiceFilter(choices=PduScheme.choices)

    class Meta:
        model = Pdu
        fields = ["device", "scheme"]


class OutletFilterSet(StrictFilterSet):
    """Outlets by PDU, powered device, mode and last state read."""

    pdu = IdListFilter(field_name="pdu_id", help_text="PDU id.")
    device = IdListFilter(field_name="device_id", help_text="The device the outlet powers (id).")
    mode = django_filters.MultipleChoiceFilter(choices=OutletMode.choices)
    state = django_filters.MultipleChoiceFilter(choices=PowerState.choices)

    class Meta:
        model = Outlet
        fields = ["pdu", "device", "mode", "state"]


class StableOrderingFilter(ListOrderingFilter):
    """`ordering=name,-updated_at`, with the id as the last key so pages never overlap."""

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        if ordering and not {"id", "-id"} & set(ordering):
            ordering = [*ordering, "id"]
        return ordering


class AttachmentFilterSet(StrictFilterSet):
    device = IdListFilter(field_name="device_id", help_text="Device id.")

    class Meta:
        model = Attachment
        fields = ["device"]
