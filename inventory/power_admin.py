"""PDUs and outlets in the admin: outlets inline, the state read from the PDU, and "Read state now".

The password is not a field: the form asks for the NAME of the environment variable that holds it.
"""

from django.contrib import admin, messages
from django.db import transaction
from django.utils.html import format_html

from inventory.admin import AuditedAdmin, _audit
from inventory.models import Outlet, Pdu
from inventory.pdu_driver import PduError
from inventory.services.power import pdu_read_now

STATE_LABELS = {"on": "● on", "off": "○ off", "unknown": "? unknown"}


def _state(outlet: Outlet):
    read = outlet.read_at.strftime("%d %b %H:%M") if outlet.read_at else "never read"
    return format_html('<span class="power-state power-{}" title="read {}">{}</span>', outlet.state, read,
                       STATE_LABELS.get(outlet.state, outlet.state))


def _read_pdus(modeladmin, request, pdus) -> None:
    done = []
    for pdu in pdus:
        try:
            reading = pdu_read_now(pdu=pdu)
        except PduError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
            continue
        on = sum(1 for o in reading.outlets if o.state == "on")
        done.append(f"{pdu} ({on}/{len(reading.outlets)} on)")
    if done:
        modeladmin.message_user(request, "Read " + ", ".join(done) + ".", messages.SUCCESS)


class OutletInline(admin.TabularInline):
    model = Outlet
    extra = 0
    fields = ("number", "name", "device", "mode", "state_now", "power_w", "current_a", "read_at")
    readonly_fields = ("state_now", "power_w", "current_a", "read_at")
    raw_id_fields = ("device",)
    ordering = ("number",)

    @admin.display(description="state")
    def state_now(self, obj):
        return _state(obj) if obj.pk else "—"


@admin.register(Pdu)
class PduAdmin(AuditedAdmin):
    list_display = ("__str__", "host", "port", "scheme", "outlet_count", "active_power_w", "read_at", "health")
    list_select_related = ("device",)
    list_filter = ("scheme", "verify_tls")
    search_fields = ("device__name", "host")
    raw_id_fields = ("device",)
    readonly_fields = ("active_power_w", "active_energy_wh", "read_at", "last_error", "failures", "retry_at")
    fieldsets = (
        (None, {"fields": ("device", "host", "port", "scheme", "verify_tls", "username", "password_env", "outlet_count")}),
        ("Latest readings and health", {"fields": readonly_fields}),
    )
    inlines = (OutletInline,)
    actions = ("read_state_now",)

    @admin.display(description="health")
    def health(self, obj):
        return f"failing ({obj.failures}): {obj.last_error}" if obj.failures else "ok"

    @admin.action(description="Read state now")
    def read_state_now(self, request, queryset):
        _read_pdus(self, request, queryset.select_related("device"))

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            for obj in formset.new_objects:
                _audit(request, obj, "created")
            for obj, fields in formset.changed_objects:
                _audit(request, obj, "updated", {"fields": sorted(fields)})
            for obj in formset.deleted_objects:
                _audit(request, obj, "deleted")


@admin.register(Outlet)
class OutletAdmin(AuditedAdmin):
    list_display = ("__str__", "pdu", "number", "name", "device", "mode", "state_column", "power_w", "current_a",
                    "read_at")
    list_select_related = ("pdu__device", "device")
    list_filter = ("mode", "state", "pdu")
    search_fields = ("name", "device__name", "pdu__device__name")
    raw_id_fields = ("device",)
    readonly_fields = ("state", "power_w", "current_a", "read_at")
    actions = ("read_state_now",)

    @admin.display(description="state", ordering="state")
    def state_column(self, obj):
        return _state(obj)

    @admin.action(description="Read state now (their PDUs)")
    def read_state_now(self, request, queryset):
        _read_pdus(self, request, Pdu.objects.filter(outlets__in=queryset).distinct().select_related("device"))
