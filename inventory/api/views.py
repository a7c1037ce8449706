"""Inventory API: thin viewsets over inventory selectors and services.

Any signed-in user reads; writes need the Django model permission (lab managers have them).
"""

import json
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import Count
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import DjangoModelPermissions, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.api.filtering import ListFilterBackend
from inventory import filters
from inventory.api import serializers as s
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
from inventory.selectors import inventory_stats
from inventory.services.attachments import attachment_create, attachment_delete
from inventory.services.catalog import catalog_object_create, catalog_object_delete, catalog_object_update
from inventory.services.devices import device_create, device_delete, device_update
from inventory.services.wiring_csv import (
    links_export_csv,
    links_import_csv,
    ports_wiring_export_csv,
    ports_wiring_import_csv,
)


class AttachmentPermissions(DjangoModelPermissions):
    """Model permissions of Attachment, for attachment actions on another viewset."""

    def _queryset(self, view):
        return Attachment.objects.none()


class InventoryViewSet(viewsets.ModelViewSet):
    """Reads with `serializer_class`; writes validate with `write_serializer_class` and run through a service.

    The answer to a write is the object read back through `get_queryset()`, so it has the same
    shape (and annotations) as a GET.
    """

    permission_classes = [DjangoModelPermissions]
    write_serializer_class = None
    # Ids are numbers: anything else is a 404 from the router, never a ValueError in a custom action.
    lookup_value_regex = "[0-9]+"

    def get_write_serializer(self, *args, **kwargs):
        serializer_class = self.write_serializer_class or self.get_serializer_class()
        return serializer_class(*args, context=self.get_serializer_context(), **kwargs)

    def read(self, instance):
        return self.get_serializer(self.get_queryset().get(pk=instance.pk)).data

    def service_create(self, data):
        return catalog_object_create(model=self.get_queryset().model, actor=self.request.user, data=data)

    def service_update(self, instance, data):
        return catalog_object_update(instance=instance, actor=self.request.user, data=data)

    def perform_destroy(self, instance):
        catalog_object_delete(instance=instance, actor=self.request.user)

    def create(self, request, *args, **kwargs):
        write = self.get_write_serializer(data=request.data)
        write.is_valid(raise_exception=True)
        with _as_field_errors():
            instance = self.service_create(write.validated_data)
        return Response(self.read(instance), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        write = self.get_write_serializer(instance, data=request.data, partial=partial)
        write.is_valid(raise_exception=True)
        with _as_field_errors():
            instance = self.service_update(instance, write.validated_data)
        return Response(self.read(instance))


@contextmanager
def _as_field_errors():
    """Answer what the serializer could not see (model constraints, a racing duplicate) as a DRF 400.

    Model-wide errors are keyed `non_field_errors` like the serializer's own.
    """
    try:
        yield
    except DjangoValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY if k == NON_FIELD_ERRORS else k: v
                               for k, v in detail.items()}) from exc
    except IntegrityError as exc:
        raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [
            "This conflicts with a change saved at the same moment (a duplicate name, serial, asset id or port). "
            "Reload and try again."
        ]}) from exc


def _write_schema(write_serializer, read_serializer):
    """Document the input and output serializers of a viewset whose writes differ from its reads."""
    return extend_schema_view(
        create=extend_schema(request=write_serializer, responses={201: read_serializer}),
        update=extend_schema(request=write_serializer, responses=read_serializer),
        partial_update=extend_schema(request=write_serializer, responses=read_serializer),
    )


class DeviceTypeViewSet(InventoryViewSet):
    """Kinds of device with their booking defaults. Deleting a type still used by devices is refused (409)."""

    queryset = DeviceType.objects.annotate(device_count=Count("devices")).order_by("name")
    serializer_class = s.DeviceTypeSerializer
    filterset_class = filters.DeviceTypeFilterSet


class ManufacturerViewSet(InventoryViewSet):
    queryset = Manufacturer.objects.annotate(device_count=Count("devices")).order_by("name")
    serializer_class = s.ManufacturerSerializer
    filterset_class = filters.ManufacturerFilterSet


class SiteViewSet(InventoryViewSet):
    queryset = Site.objects.annotate(device_count=Count("devices")).order_by("name")
    serializer_class = s.SiteSerializer
    filterset_class = filters.SiteFilterSet


class TagViewSet(InventoryViewSet):
    queryset = Tag.objects.annotate(device_count=Count("devices")).order_by("name")
    serializer_class = s.TagSerializer
    filterset_class = filters.TagFilterSet


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode() if isinstance(data, str) else json.dumps(data).encode()


_csv_export_schema = extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR)}, filters=False)
_csv_import_schema = extend_schema(request=s.CsvUploadSerializer,
                                   responses={200: s.CsvImportResultSerializer, 400: s.CsvImportResultSerializer},
                                   filters=False)


def _csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_import(request, service) -> Response:
    upload = s.CsvUploadSerializer(data=request.data)
    upload.is_valid(raise_exception=True)
    result = service(text=upload.validated_data["csv"], actor=request.user, dry_run=upload.validated_data["dry_run"])
    data = {"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
            "dry_run": result.dry_run, "errors": [str(e) for e in result.errors]}
    return Response(data, status=status.HTTP_400_BAD_REQUEST if result.errors else status.HTTP_200_OK)


@_write_schema(s.PortWriteSerializer, s.PortSerializer)
class PortViewSet(InventoryViewSet):
    """Polatis ports by label; labels are unique lab-wide in any case."""

    queryset = Port.objects.select_related("device", "switch").order_by("name", "id")
    serializer_class = s.PortSerializer
    write_serializer_class = s.PortWriteSerializer
    filterset_class = filters.PortFilterSet

    @_csv_export_schema
    @action(detail=False, methods=["get"], url_path="wiring-export", filterset_class=None,
            renderer_classes=[JSONRenderer, CsvRenderer])
    def wiring_export(self, request):
        """Every port's switch and switch numbers as CSV (`port, switch, switch_in, switch_out`)."""
        return _csv_response(ports_wiring_export_csv(), "ports-wiring.csv")

    @_csv_import_schema
    @action(detail=False, methods=["post"], url_path="wiring-import", filterset_class=None)
    def wiring_import(self, request):
        """Set ports' switches from a wiring CSV; all rows or none (400 with every bad line)."""
        return _csv_import(request, ports_wiring_import_csv)


@_write_schema(s.LinkWriteSerializer, s.LinkSerializer)
class LinkViewSet(InventoryViewSet):
    """Fixed port-to-port links (not through a switch). A port is in at most one link; never joined to itself."""

    queryset = Link.objects.select_related("a__device", "b__device").order_by("a__name", "id")
    serializer_class = s.LinkSerializer
    write_serializer_class = s.LinkWriteSerializer
    filterset_class = filters.LinkFilterSet

    @_csv_export_schema
    @action(detail=False, methods=["get"], url_path="export", filterset_class=None,
            renderer_classes=[JSONRenderer, CsvRenderer])
    def export(self, request):
        """Every link as CSV (`a, b, length_km, loss_db, notes`, ends by port label)."""
        return _csv_response(links_export_csv(), "links.csv")

    @_csv_import_schema
    @action(detail=False, methods=["post"], url_path="import", filterset_class=None)
    def import_csv(self, request):
        """Create or update links from CSV; all rows or none (400 with every bad line)."""
        return _csv_import(request, links_import_csv)


@_write_schema(s.PduWriteSerializer, s.PduSerializer)
class PduViewSet(InventoryViewSet):
    """Raritan PDUs: connection settings (the password stays in the environment variable named) and readings."""

    queryset = Pdu.objects.select_related("device").order_by("device__name", "id")
    serializer_class = s.PduSerializer
    write_serializer_class = s.PduWriteSerializer
    filterset_class = filters.PduFilterSet


@_write_schema(s.OutletWriteSerializer, s.OutletSerializer)
class OutletViewSet(InventoryViewSet):
    """PDU outlets: number 1..outlet_count (unique per PDU), the device powered, the mode, the latest readings."""

    queryset = Outlet.objects.select_related("pdu__device", "device").order_by("pdu__device__name", "number", "id")
    serializer_class = s.OutletSerializer
    write_serializer_class = s.OutletWriteSerializer
    filterset_class = filters.OutletFilterSet


@_write_schema(s.DeviceWriteSerializer, s.DeviceSerializer)
class DeviceViewSet(InventoryViewSet):
    """Lab devices. Every write leaves history rows (one per changed field) and an audit event."""

    queryset = (
        Device.objects.select_related("device_type", "manufacturer", "site", "created_by", "updated_by")
        .prefetch_related("tags", "ports")
        .order_by("device_type__name", "name", "id")
    )
    serializer_class = s.DeviceSerializer
    write_serializer_class = s.DeviceWriteSerializer
    filterset_class = filters.DeviceFilterSet
    filter_backends = [ListFilterBackend, filters.StableOrderingFilter]
    ordering_fields = ["name", "status", "oi_id", "serial_number", "created_at", "updated_at",
                       "device_type__name", "site__name"]

    def service_create(self, data):
        return device_create(actor=self.request.user, data=data)

    def service_update(self, instance, data):
        return device_update(device=instance, actor=self.request.user, data=data)

    def perform_destroy(self, instance):
        device_delete(device=instance, actor=self.request.user)

    @extend_schema(responses=s.DeviceHistorySerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filterset_class=None)
    def history(self, request, pk=None):
        """The device's changes, newest first. Still answers after the device was deleted."""
        rows = DeviceHistory.objects.filter(device_id=pk).select_related("actor").order_by("-created_at", "-id")
        if not rows.exists() and not Device.objects.filter(pk=pk).exists():
            raise NotFound("No device with this id.")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.DeviceHistorySerializer(page, many=True).data)

    @extend_schema(methods=["GET"], responses=s.AttachmentSerializer(many=True), filters=False)
    @extend_schema(methods=["POST"], request={"multipart/form-data": s.AttachmentUploadSerializer},
                   responses={201: s.AttachmentSerializer})
    @action(detail=True, methods=["get", "post"], filterset_class=None, permission_classes=[AttachmentPermissions],
            parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        """GET: the device's attachments. POST (multipart, field `file`): attach a file."""
        device = get_object_or_404(Device.objects.only("id", "name"), pk=pk)
        if request.method == "POST":
            upload = s.AttachmentUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            attachment = attachment_create(device=device, actor=request.user, file=upload.validated_data["file"])
            attachment = Attachment.objects.select_related("device", "uploaded_by").get(pk=attachment.pk)
            return Response(s.AttachmentSerializer(attachment, context=self.get_serializer_context()).data,
                            status=status.HTTP_201_CREATED)
        rows = Attachment.objects.filter(device=device).select_related("device", "uploaded_by")
        page = self.paginate_queryset(rows)
        data = s.AttachmentSerializer(page, many=True, context=self.get_serializer_context()).data
        return self.get_paginated_response(data)


class PassthroughRenderer(BaseRenderer):
    """Lets a file download answer any Accept header; errors still go out as JSON text."""

    media_type = "*/*"
    format = "bin"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class AttachmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                        viewsets.GenericViewSet):
    """Attachment metadata; deleting needs the delete permission; downloads for signed-in users only."""

    queryset = Attachment.objects.select_related("device", "uploaded_by").order_by("-uploaded_at", "-id")
    serializer_class = s.AttachmentSerializer
    permission_classes = [DjangoModelPermissions]
    filterset_class = filters.AttachmentFilterSet

    def perform_destroy(self, instance):
        attachment_delete(attachment=instance, actor=self.request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        # An error of a download (whatever the Accept header chose) is JSON, labelled as such.
        if isinstance(response, Response) and response.status_code >= 400:
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)},
                   filters=False)
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, PassthroughRenderer],
            filterset_class=None)
    def download(self, request, pk=None):
        """The file itself, under its original name."""
        attachment = self.get_object()
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError:
            raise NotFound("The file of this attachment is missing from storage.") from None
        return FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type or "application/octet-stream")


class StatsViewSet(viewsets.ViewSet):
    """Device totals by status, type and site (zero counts included)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=s.InventoryStatsSerializer)
    def list(self, request):
        return Response(s.InventoryStatsSerializer(inventory_stats()).data)
