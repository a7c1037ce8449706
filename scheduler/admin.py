"""The lab manager's control panel for sessions, bookings, maintenance and the booking policy.

Nothing here changes a booking's status directly: actions and forms call the booking services,
so the admin gets the same checks, audit events and notifications as the API and the pages.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Min
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from core import clock
from core.admin import ReadOnlyAdmin
from core.exceptions import ApplicationError, RuleConflict
from core.roles import is_lab_manager
from core.services.audit import audit_log
from scheduler.choices import STATUS_COLORS
from scheduler.models import Booking, BookingGroup, BookingPolicy, MaintenanceWindow, PowerPlan
from scheduler.services import booking as booking_services
from scheduler.services import maintenance as maintenance_services


def _status_badge(status: str, label: str):
    return format_html('<span style="color:{};font-weight:bold">{}</span>', STATUS_COLORS.get(status, "#000"), label)


def _run_each(modeladmin, request, objects, service, verb: str, **kwargs) -> None:
    """Call `service` on each object; report the refused ones with their reason and let the others proceed."""
    done = 0
    for obj in objects:
        try:
            service(actor=request.user, **{modeladmin.service_arg: obj}, **kwargs)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{verb} {done} {modeladmin.opts.verbose_name if done == 1 else modeladmin.opts.verbose_name_plural}.", messages.SUCCESS)


class WhenFilter(admin.SimpleListFilter):
    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("now", "Running now"), ("today", "Today"), ("upcoming", "Upcoming"), ("past", "Ended")]

    def queryset(self, request, queryset):
        now = clock.now()
        local = timezone.localtime(now)
        day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        day_end = day_start + timedelta(days=1)
        if self.value() == "now":
            return queryset.filter(start__lte=now, end__gt=now)
        if self.value() == "today":
            return queryset.filter(start__lt=day_end, end__gt=day_start)
        if self.value() == "upcoming":
            return queryset.filter(start__gt=now)
        if self.value() == "past":
            return queryset.filter(end__lte=now)
        return queryset


class BookingInline(admin.TabularInline):
    """The session's bookings, read-only: decide them from the booking list or the session actions."""

    model = Booking
    extra = 0
    can_delete = False
    show_change_link = True
    fields = ("device", "start", "end", "status", "decided_by", "decided_at", "decision_note")
    readonly_fields = fields
    ordering = ("start", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("device", "decided_by")


@admin.register(BookingGroup)
class BookingGroupAdmin(admin.ModelAdmin):
    list_display = ("id", "owner", "bookings_count", "first_start", "message_short", "created_at")
    list_select_related = ("owner",)
    search_fields = ("owner__username", "collaborators__username", "message", "bookings__device__name")
    list_filter = ("bookings__status",)
    readonly_fields = ("owner", "collaborators_list", "message", "created_at")
    fields = readonly_fields
    inlines = [BookingInline]
    actions = ["approve_sessions", "reject_sessions", "cancel_sessions"]
    service_arg = "group"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_count=Count("bookings", distinct=True), _first=Min("bookings__start"))

    @admin.display(description="bookings", ordering="_count")
    def bookings_count(self, obj):
        return obj._count

    @admin.display(description="first start", ordering="_first")
    def first_start(self, obj):
        return obj._first

    @admin.display(description="message")
    def message_short(self, obj):
        return obj.message[:60]

    @admin.display(description="collaborators")
    def collaborators_list(self, obj):
        return ", ".join(obj.collaborators.values_list("username", flat=True)) or "—"

    def has_add_permission(self, request):
        return False  # sessions are requested through the API or the pages, which check the rules

    def has_decide_permission(self, request):
        return is_lab_manager(request.user)

    @admin.action(description="Approve the selected sessions (all their undecided bookings)", permissions=["decide"])
    def approve_sessions(self, request, queryset):
        _run_each(self, request, queryset, booking_services.booking_group_approve, "Approved")

    @admin.action(description="Reject the selected sessions", permissions=["decide"])
    def reject_sessions(self, request, queryset):
        _run_each(self, request, queryset, booking_services.booking_group_reject, "Rejected")

    @admin.action(description="Cancel the selected sessions", permissions=["decide"])
    def cancel_sessions(self, request, queryset):
        _run_each(self, request, queryset, booking_services.booking_group_cancel, "Cancelled")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("id", "device", "device_type", "owner", "start", "end", "status_badge", "decided_by", "group_link")
    list_filter = ("status", "device__device_type", WhenFilter, "start", "device__site")
    list_select_related = ("device__device_type", "group__owner", "decided_by")
    date_hierarchy = "start"
    search_fields = ("device__name", "group__owner__username", "group__message", "=group__id")
    ordering = ("-start", "-id")
    readonly_fields = ("group_link", "device", "start", "end", "status", "decided_by", "decided_at", "decision_note",
                       "created_at", "updated_at")
    fields = readonly_fields
    actions = ["approve_bookings", "reject_bookings", "cancel_bookings"]
    service_arg = "booking"

    @admin.display(description="type", ordering="device__device_type__name")
    def device_type(self, obj):
        return obj.device.device_type.name

    @admin.display(description="owner", ordering="group__owner__username")
    def owner(self, obj):
        return obj.group.owner

    @admin.display(description="status", ordering="status")
    def status_badge(self, obj):
        return _status_badge(obj.status, obj.get_status_display())

    @admin.display(description="session")
    def group_link(self, obj):
        url = reverse("admin:scheduler_bookinggroup_change", args=[obj.group_id])
        return format_html('<a href="{}">#{}</a>', url, obj.group_id)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the history of requests and decisions stays

    def has_decide_permission(self, request):
        return is_lab_manager(request.user)

    @admin.action(description="Approve the selected bookings", permissions=["decide"])
    def approve_bookings(self, request, queryset):
        _run_each(self, request, queryset.select_related("device"), booking_services.booking_approve, "Approved")

    @admin.action(description="Reject the selected bookings", permissions=["decide"])
    def reject_bookings(self, request, queryset):
        _run_each(self, request, queryset.select_related("device"), booking_services.booking_reject, "Rejected")

    @admin.action(description="Cancel the selected bookings", permissions=["decide"])
    def cancel_bookings(self, request, queryset):
        _run_each(self, request, queryset.select_related("device"), booking_services.booking_cancel, "Cancelled")


class MaintenanceWindowForm(forms.ModelForm):
    cancel_confirmed = forms.BooleanField(
        required=False,
        label="Cancel the confirmed bookings it hits",
        help_text="Without this, a window that overlaps confirmed bookings is refused and they are listed.",
    )

    class Meta:
        model = MaintenanceWindow
        fields = ["device", "start", "end", "reason"]

    actor = None  # set by MaintenanceWindowAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        if self._errors or self.instance.pk:
            return cleaned
        # The service runs here, inside the admin's transaction, so that its refusals appear beside
        # the form; nothing after clean() can fail once it succeeded (the fields are all checked).
        try:
            self.instance = maintenance_services.maintenance_window_create(
                actor=self.actor, device=cleaned["device"], start=cleaned["start"], end=cleaned["end"],
                reason=cleaned.get("reason", ""), cancel_confirmed=cleaned.get("cancel_confirmed", False),
            )
        except RuleConflict as exc:
            raise ValidationError([exc.message, *(c["message"] for c in exc.conflicts)]) from exc
        except ApplicationError as exc:
            raise ValidationError(exc.message) from exc
        return cleaned


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    form = MaintenanceWindowForm
    list_display = ("device", "start", "end", "reason", "created_by", "created_at")
    list_select_related = ("device", "created_by")
    list_filter = ("device__device_type", "start")
    search_fields = ("device__name", "reason")
    date_hierarchy = "start"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["fields"] = ["device", "start", "end", "reason", "cancel_confirmed"]
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        # A window is not edited in place (the bookings it cleared would not follow); delete and re-create it.
        return ("device", "start", "end", "reason", "created_by", "created_at") if obj else ()

    def save_model(self, request, obj, form, change):
        if obj.pk:
            return  # created by maintenance_window_create in the form
        raise RuntimeError("Maintenance windows are created through maintenance_window_create")

    def delete_model(self, request, obj):
        maintenance_services.maintenance_window_delete(window=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for window in queryset:
            maintenance_services.maintenance_window_delete(window=window, actor=request.user)


@admin.register(BookingPolicy)
class BookingPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "slot_minutes", "max_duration", "horizon", "max_active_bookings_per_user", "past_grace")

    def has_add_permission(self, request):
        return not BookingPolicy.objects.exists() and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # inside the admin's transaction
        if form.changed_data:
            audit_log(actor=request.user, action="scheduler.bookingpolicy.updated", target=obj,
                      data={"fields": sorted(form.changed_data)})

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        policy = BookingPolicy.load()
        return HttpResponseRedirect(reverse("admin:scheduler_bookingpolicy_change", args=[policy.pk]))


@admin.register(PowerPlan)
class PowerPlanAdmin(ReadOnlyAdmin):
    """What the schedule decided for each booking-mode outlet, and when the PDU confirmed it (written by the worker)."""

    list_display = ("outlet", "wanted", "booking", "decided_at", "done_at")
    list_select_related = ("outlet__pdu__device", "booking__device")
    list_filter = ("wanted",)
    search_fields = ("outlet__device__name", "outlet__pdu__device__name")


# Topologies and port reservations register their own (read-only) admin.
import scheduler.topology.admin  # noqa: E402, F401
