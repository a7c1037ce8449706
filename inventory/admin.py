"""The inventory in the Django admin, the lab manager's control panel.

Device saves and deletes go through `inventory.services.devices` (history rows, audit events);
every other admin write leaves an audit event `inventory.<model>.created|updated|deleted`.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from core import clock
from core.admin import ReadOnlyAdmin
from core.admin_a11y import LabelledFieldsMixin, LabelledTabularInline
from core.services.audit import audit_log
from inventory.models import Attachment, Device, DeviceHistory, DeviceType, Link, Manufacturer, Port, Site, Tag
from inventory.services.attachments import attachment_create, attachment_delete, attachment_validate
from inventory.services.capacity import (
    capacity_lowered,
    capacity_refusals,
    device_effective_capacity,
    type_capacity_changes,
)
from inventory.services.csv_export import CSV_COLUMNS, devices_export_csv, devices_export_queryset
from inventory.services.csv_import import devices_import_csv
from inventory.services.devices import device_changes_record, device_delete, device_snapshot

IMPORT_PERMISSIONS = ("inventory.add_device", "inventory.change_device")
IMPORT_MAX_BYTES = 10 * 1024 * 1024


def _audit(request, obj, verb: str, data: dict | None = None) -> None:
    audit_log(actor=request.user, action=f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}", target=obj, data=data)


class AuditedAdmin(LabelledFieldsMixin, admin.ModelAdmin):
    """Saves and deletes leave an audit event in the same transaction."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            if not change:
                _audit(request, obj, "created")
            elif form.changed_data:
                _audit(request, obj, "updated", {"fields": sorted(form.changed_data)})

    def delete_model(self, request, obj):
        with transaction.atomic():
            _audit(request, obj, "deleted")
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                _audit(request, obj, "deleted")
            super().delete_queryset(request, queryset)


class DeviceCountMixin:
    """A 'devices' column counted in the changelist query."""

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(device_count=Count("devices", distinct=True))

    @admin.display(description="devices", ordering="device_count")
    def device_count(self, obj):
        return obj.device_count


def _swatch(color: str):
    return format_html('<span class="color-swatch" data-paint-bg="{}"></span> {}', color, color)


class DeviceTypeForm(forms.ModelForm):
    """A lower default capacity is refused while devices that follow it hold more overlapping bookings."""

    def clean_default_capacity(self):
        value = self.cleaned_data["default_capacity"]
        old = self.instance.default_capacity if self.instance.pk else None
        if old and value and value < old:
            problems = capacity_refusals(type_capacity_changes(self.instance, value))
            if problems:
                raise ValidationError(problems)
        return value


@admin.register(DeviceType)
class DeviceTypeAdmin(DeviceCountMixin, AuditedAdmin):
    form = DeviceTypeForm
    list_display = ("name", "category", "is_schedulable", "has_ports", "default_capacity", "requires_approval", "device_count")
    list_filter = ("category", "is_schedulable", "has_ports", "requires_approval")
    search_fields = ("name", "description")

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            old = form.initial.get("default_capacity") if change else None
            if old and obj.default_capacity < old:
                capacity_lowered(changes=type_capacity_changes(obj, obj.default_capacity), actor=request.user,
                                 field="default_capacity")


@admin.register(Manufacturer)
class ManufacturerAdmin(DeviceCountMixin, AuditedAdmin):
    list_display = ("name", "website", "device_count")
    search_fields = ("name", "notes")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Site)
class SiteAdmin(DeviceCountMixin, AuditedAdmin):
    list_display = ("name", "address", "device_count")
    search_fields = ("name", "address", "notes")


@admin.register(Tag)
class TagAdmin(DeviceCountMixin, AuditedAdmin):
    list_display = ("name", "colour", "description", "device_count")
    search_fields = ("name", "description")

    @admin.display(description="colour", ordering="color")
    def colour(self, obj):
        return _swatch(obj.color)


@admin.register(Port)
class PortAdmin(AuditedAdmin):
    list_display = ("name", "device", "device_type", "switch", "switch_in", "switch_out", "description")
    list_filter = ("device__device_type", "device__site", ("switch", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name", "description", "device__name")
    list_select_related = ("device", "device__device_type", "switch")
    autocomplete_fields = ("device", "switch")

    @admin.display(description="device type", ordering="device__device_type__name")
    def device_type(self, obj):
        return obj.device.device_type


@admin.register(Link)
class LinkAdmin(AuditedAdmin):
    """Fixed links (spliced fibres, patch cords) that join two ports without a switch."""

    list_display = ("__str__", "a_device", "b_device", "length_km", "loss_db", "notes")
    search_fields = ("a__name", "b__name", "a__device__name", "b__device__name", "notes")
    list_select_related = ("a__device", "b__device")
    autocomplete_fields = ("a", "b")

    @admin.display(description="device of a", ordering="a__device__name")
    def a_device(self, obj):
        return obj.a.device

    @admin.display(description="device of b", ordering="b__device__name")
    def b_device(self, obj):
        return obj.b.device


class AttachmentForm(forms.ModelForm):
    """The uploaded file obeys ATTACHMENT_MAX_BYTES and ATTACHMENT_EXTENSIONS, as in the API."""

    class Meta:
        model = Attachment
        fields = ("device", "file")

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file and "file" in self.changed_data:
            try:
                attachment_validate(name=file.name, size=file.size)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["file"]) from exc
        return file


@admin.register(Attachment)
class AttachmentAdmin(LabelledFieldsMixin, admin.ModelAdmin):
    form = AttachmentForm
    list_display = ("original_name", "device", "size", "content_type", "uploaded_by", "uploaded_at")
    list_filter = ("content_type",)
    search_fields = ("original_name", "device__name")
    list_select_related = ("device", "uploaded_by")
    readonly_fields = ("original_name", "size", "content_type", "uploaded_by", "uploaded_at")
    autocomplete_fields = ("device",)

    def get_readonly_fields(self, request, obj=None):
        # A stored attachment is replaced by deleting it and uploading another, so history stays true.
        return (*self.readonly_fields, "device", "file") if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            # The admin goes on with `obj` (messages, redirect): make it the stored attachment.
            stored = attachment_create(device=form.cleaned_data["device"], actor=request.user, file=form.cleaned_data["file"])
            vars(obj).update(vars(stored))

    def delete_model(self, request, obj):
        attachment_delete(attachment=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset.select_related("device"):
                attachment_delete(attachment=obj, actor=request.user)


@admin.register(DeviceHistory)
class DeviceHistoryAdmin(ReadOnlyAdmin):
    """Read-only: history is written by the device services only."""

    list_display = ("created_at", "device_name", "action", "field", "old_value", "new_value", "actor")
    list_filter = ("action", "created_at")
    search_fields = ("device_name", "field", "old_value", "new_value")
    list_select_related = ("actor",)
    fields = ("created_at", "device_id", "device_name", "action", "field", "old_value", "new_value", "actor")
    readonly_fields = fields
    date_hierarchy = "created_at"


class PortInline(LabelledTabularInline):
    model = Port
    fk_name = "device"
    extra = 0
    fields = ("name", "switch", "switch_in", "switch_out", "description")
    autocomplete_fields = ("switch",)


class AttachmentInline(LabelledTabularInline):
    model = Attachment
    form = AttachmentForm
    extra = 0
    fields = ("file", "original_name", "size", "content_type", "uploaded_by", "uploaded_at")
    readonly_fields = ("original_name", "size", "content_type", "uploaded_by", "uploaded_at")


class DeviceHistoryInline(admin.TabularInline):
    """The device's history, newest first; nothing here can be added, changed or deleted."""

    model = DeviceHistory
    fk_name = "device"
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "field", "old_value", "new_value", "actor")
    readonly_fields = fields
    ordering = ("-created_at", "-id")
    verbose_name_plural = "history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class DeviceImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, with a header row; the columns of the export.")
    dry_run = forms.BooleanField(required=False, label="Dry run", help_text="Check the file and count changes; write nothing.")

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {IMPORT_MAX_BYTES // (1024 * 1024)} MB; split it.")
        return file


class DeviceForm(forms.ModelForm):
    """A lower capacity (its own, or its new type's default) is refused while more of the device's
    bookings overlap than that; the message names the sessions holding the units beyond it."""

    def clean(self):
        data = super().clean()
        if self.instance.pk and "device_type" in data and not self.errors.get("capacity"):
            old = Device.objects.select_related("device_type").get(pk=self.instance.pk).effective_capacity
            new = device_effective_capacity(capacity=data.get("capacity"), device_type=data.get("device_type"))
            if new and new < old:
                problems = capacity_refusals([(self.instance, new)])
                if problems:
                    self.add_error("capacity", problems)
        return data


@admin.register(Device)
class DeviceAdmin(LabelledFieldsMixin, admin.ModelAdmin):
    form = DeviceForm
    list_display = ("name", "device_type", "status", "site", "rack", "u_position", "oi_id", "serial_number",
                    "mgmt_ip", "manufacturer", "tag_list")
    list_filter = ("status", "device_type", "site", "manufacturer", "tags")
    search_fields = ("name", "oi_id", "serial_number", "hostname", "mgmt_ip", "ports__name")
    list_select_related = ("device_type", "site", "manufacturer")
    list_per_page = 100
    autocomplete_fields = ("manufacturer", "site")
    filter_horizontal = ("tags",)
    readonly_fields = ("created_at", "created_by", "updated_at", "updated_by")
    fieldsets = (
        (None, {"fields": ("name", "device_type", "manufacturer", "model", "serial_number", "oi_id", "status", "capacity")}),
        ("Location", {"fields": ("site", "rack", "u_position")}),
        ("Network", {"fields": ("hostname", "mgmt_ip")}),
        ("Other", {"fields": ("owner_group", "tags", "notes")}),
        ("Record", {"fields": readonly_fields, "classes": ("collapse",)}),
    )
    inlines = (PortInline, AttachmentInline, DeviceHistoryInline)
    actions = ("export_csv",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    @admin.display(description="tags")
    def tag_list(self, obj):
        return format_html_join(" ", '<span class="tag-chip" data-paint-border="{}">{}</span>',
                                ((t.color, t.name) for t in obj.tags.all()))

    # --- writes go through the device services -------------------------------------------------

    def save_model(self, request, obj, form, change):
        """Save the fields; history is written in save_related, once the tags are saved too."""
        obj._history_before = device_snapshot(Device.objects.get(pk=obj.pk)) if change else None
        if change and not form.changed_data:
            return
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        device_changes_record(device=form.instance, actor=request.user, before=form.instance._history_before)

    def save_formset(self, request, form, formset, change):
        if formset.model is Attachment:
            formset.save(commit=False)
            for attachment in formset.deleted_objects:
                attachment_delete(attachment=attachment, actor=request.user)
            for inline_form in formset.extra_forms:
                if inline_form.has_changed() and inline_form.cleaned_data.get("file") and not inline_form.cleaned_data.get("DELETE"):
                    attachment_create(device=form.instance, actor=request.user, file=inline_form.cleaned_data["file"])
            return
        super().save_formset(request, form, formset, change)
        if formset.model is Port:
            for port in formset.new_objects:
                _audit(request, port, "created")
            for port, fields in formset.changed_objects:
                _audit(request, port, "updated", {"fields": sorted(fields)})
            for port in formset.deleted_objects:
                audit_log(actor=request.user, action="inventory.port.deleted", data={"name": port.name, "device": form.instance.pk})

    def delete_model(self, request, obj):
        device_delete(device=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for device in queryset:
                device_delete(device=device, actor=request.user)

    # --- CSV export and import -------------------------------------------------------------------

    @admin.action(description="Export selected devices as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        with transaction.atomic():  # every export is audited
            audit_log(actor=request.user, action="inventory.devices.exported",
                      data={"rows": queryset.count(), "devices": sorted(queryset.values_list("pk", flat=True))[:500]})
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="devices-{clock.now():%Y%m%d-%H%M%S}.csv"'
        devices_export_csv(devices=devices_export_queryset(queryset), stream=response)
        return response

    def has_import_permission(self, request) -> bool:
        return request.user.has_perms(IMPORT_PERMISSIONS)

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="inventory_device_import"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_import": self.has_import_permission(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        """Upload a CSV file; show every bad row, or import all rows and go back to the list."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        result = None
        form = DeviceImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            result = devices_import_csv(file=form.cleaned_data["file"], actor=request.user,
                                        dry_run=form.cleaned_data["dry_run"])
            if result.ok and not result.dry_run:
                self.message_user(request, result.summary(), messages.SUCCESS)
                return redirect("admin:inventory_device_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import devices from CSV",
            "form": form,
            "result": result,
            "columns": CSV_COLUMNS,
        }
        return TemplateResponse(request, "admin/inventory/device/import_csv.html", context)


from inventory import power_admin  # noqa: E402,F401  (PDUs and outlets: registered there)
