"""The lab manager's control panel for sessions, bookings, maintenance and the booking policy.

Nothing here changes a booking's status directly: actions and forms call the booking services,
so the admin gets the same checks, audit events and notifications as the API and the pages.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Min, Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from core import clock
from core.admin import ReadOnlyAdmin
from core.admin_a11y import LabelledFieldsMixin
from core.exceptions import ApplicationError, RuleConflict
from core.roles import can_decide_requests, is_lab_manager
from core.services.audit import audit_log
from scheduler import admin_reports
from scheduler.choices import BookingStatus
from scheduler.models import Booking, BookingGroup, BookingPolicy, MaintenanceWindow, PowerPlan
from scheduler.services import booking as booking_services
from scheduler.services import maintenance as maintenance_services

# A session's status in the admin list: the first of these its bookings have.
SESSION_STATUS_ORDER = ("conflicting", "pending", "confirmed", "rejected", "cancelled", "expired")


def _status_badge(status: str, label: str):
    """The status as a coloured badge (scheduler/admin.css): the schedule's colours, readable in both themes."""
    return format_html('<span class="status-badge s-{}">{}</span>', status, label)


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
    # What a manager needs first, owner then status, stays on screen at 1280 px beside the filters.
    list_display = ("id", "owner", "session_status", "bookings_count", "first_start", "message_short")
    list_select_related = ("owner",)
    search_fields = ("owner__username", "collaborators__username", "message", "bookings__device__name")
    list_filter = ("bookings__status",)
    readonly_fields = ("owner", "collaborators_list", "message", "created_at")
    fields = readonly_fields
    inlines = [BookingInline]
    actions = ["approve_sessions", "reject_sessions", "cancel_sessions"]
    service_arg = "group"

    def get_queryset(self, request):
        counts = {f"_{s}": Count("bookings", filter=Q(bookings__status=s), distinct=True) for s in SESSION_STATUS_ORDER}
        return super().get_queryset(request).annotate(_count=Count("bookings", distinct=True), _first=Min("bookings__start"),
                                                      **counts)

    @admin.display(description="status")
    def session_status(self, obj):
        """The most pressing status among the session's bookings (conflicting, then pending, …), with its count."""
        for status in SESSION_STATUS_ORDER:
            count = getattr(obj, f"_{status}", 0)
            if count:
                label = BookingStatus(status).label
                return _status_badge(status, label if count == obj._count else f"{label} ({count} of {obj._count})")
        return "—"

    @admin.display(description="bookings", ordering="_count")
    def bookings_count(self, obj):
        return obj._count

    @admin.display(description="first start", ordering="_first")
    def first_start(self, obj):
        return f"{timezone.localtime(obj._first):%a %-d %b %Y %H:%M}" if obj._first else "—"

    @admin.display(description="message")
    def message_short(self, obj):
        return obj.message[:60]

    @admin.display(description="collaborators")
    def collaborators_list(self, obj):
        return ", ".join(obj.collaborators.values_list("username", flat=True)) or "—"

    def has_add_permission(self, request):
        return False  # sessions are requested through the API or the pages, which check the rules

    def has_decide_permission(self, request):
        return can_decide_requests(request.user)

    def has_manage_permission(self, request):
        return is_lab_manager(request.user)

    @admin.action(description="Approve the selected sessions (all their undecided bookings)", permissions=["decide"])
    def approve_sessions(self, request, queryset):
        _run_each(self, request, queryset, booking_services.booking_group_approve, "Approved")

    @admin.action(description="Reject the selected sessions", permissions=["decide"])
    def reject_sessions(self, request, queryset):
        _run_each(self, request, queryset, booking_services.booking_group_reject, "Rejected")

    @admin.action(description="Cancel the selected sessions", permissions=["manage"])
    def cancel_sessions(self, request, queryset):
        _run_each(self, request, queryset, booking_services.booking_group_cancel, "Cancelled")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    # Status right after device and owner, and nothing that matters off screen at 1280 px beside the
    # navigation and the filter panel (the device type is a filter; device names carry it anyway).
    list_display = ("id", "device", "owner", "status_badge", "window", "decided_by", "group_link")
    list_filter = ("status", "device__device_type", WhenFilter, "start", "device__site")
    list_select_related = ("device__device_type", "group__owner", "decided_by")
    date_hierarchy = "start"
    search_fields = ("device__name", "group__owner__username", "group__message", "=group__id")
    ordering = ("-start", "-id")
    readonly_fields = ("group_link", "device", "start", "end", "status", "unit", "decided_by", "decided_at",
                       "decision_note", "created_at", "updated_at")
    fields = readonly_fields
    actions = ["approve_bookings", "reject_bookings", "cancel_bookings"]
    service_arg = "booking"

    @admin.display(description="owner", ordering="group__owner__username")
    def owner(self, obj):
        return obj.group.owner

    @admin.display(description="when", ordering="start")
    def window(self, obj):
        """Start and end in the lab's time, compact ("Sat 19 Dec 2026 07:00 – 12:00"), so the list fits 1280 px."""
        start, end = timezone.localtime(obj.start), timezone.localtime(obj.end)
        end_text = end.strftime("%H:%M") if start.date() == end.date() else end.strftime("%a %-d %b %H:%M")
        return f"{start:%a %-d %b %Y %H:%M} – {end_text}"

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
        return can_decide_requests(request.user)

    def has_manage_permission(self, request):
        return is_lab_manager(request.user)

    def get_urls(self):
        return [
            path("reports/", self.admin_site.admin_view(admin_reports.reports_view), name="scheduler_reports"),
            path("export/", self.admin_site.admin_view(self.export_view), name="scheduler_booking_export"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The booking list with the changelist's current filters and search, as CSV."""
        if not (self.has_view_permission(request) and request.user.has_perm("scheduler.export_data")):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return admin_reports.bookings_csv(request, changelist.get_queryset(request))

    @admin.action(description="Approve the selected bookings", permissions=["decide"])
    def approve_bookings(self, request, queryset):
        _run_each(self, request, queryset.select_related("device"), booking_services.booking_approve, "Approved")

    @admin.action(description="Reject the selected bookings", permissions=["decide"])
    def reject_bookings(self, request, queryset):
        _run_each(self, request, queryset.select_related("device"), booking_services.booking_reject, "Rejected")

    @admin.action(description="Cancel the selected bookings", permissions=["manage"])
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
class MaintenanceWindowAdmin(LabelledFieldsMixin, admin.ModelAdmin):
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
class BookingPolicyAdmin(LabelledFieldsMixin, admin.ModelAdmin):
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
