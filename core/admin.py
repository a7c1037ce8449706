"""Admin for accounts, API tokens (view and revoke), the read-only audit log and the notification outbox."""

import csv
import json
from contextvars import ContextVar

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import IsLockedOutFilter
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from core import clock
from core.admin_a11y import BlankLabelledValuesFilter, LabelledFieldsMixin
from core.forms import LabAdminPasswordChangeForm
from core.models import ApiToken, AuditEvent, Notification, User
from core.services.audit import audit_log
from core.services.notifications import notification_retry
from core.services.passwords import user_password_save
from core.services.sign_in_locks import sign_in_locks_lift
from core.services.tokens import token_revoke, token_state


class LabUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email", "discord_id")


class LabUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


# The manager resetting a password (Django's admin view builds the form without the request).
_password_actor: ContextVar = ContextVar("password_actor", default=None)


class AdminPasswordResetForm(LabAdminPasswordChangeForm):
    def save(self, commit=True):
        user = super().save(commit=False)
        return user_password_save(user=user, actor=_password_actor.get(),
                                  sign_out_everywhere=self.cleaned_data["sign_out_everywhere"])


class ApiTokenInline(admin.TabularInline):
    """A user's tokens, for reference; revoke them from the API token list."""

    model = ApiToken
    extra = 0
    fields = ("name", "prefix", "created_at", "expires_at", "last_used", "revoked_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(LabelledFieldsMixin, DjangoUserAdmin):
    form = LabUserChangeForm
    add_form = LabUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email", "discord_id")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "email", "discord_id", "usable_password", "password1", "password2")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "discord_id", "is_staff", "is_active", "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "groups")
    search_fields = ("username", "email", "first_name", "last_name", "discord_id")
    inlines = [ApiTokenInline]
    change_password_form = AdminPasswordResetForm
    change_user_password_template = "admin/core/user/change_password.html"

    def user_change_password(self, request, id, form_url=""):
        token = _password_actor.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_actor.reset(token)

    # Role fields a non-superuser may never set on anyone, and on themselves not at all.
    SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")
    OWN_ROLE_FIELDS = ("groups", "is_staff", "is_superuser", "user_permissions")

    def get_readonly_fields(self, request, obj=None):
        """Nobody but a superuser grants themselves a higher role (or anyone superuser status)."""
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [f for f in self.SUPERUSER_ONLY_FIELDS if f not in fields]
            if obj is not None and obj.pk == request.user.pk:
                fields += [f for f in self.OWN_ROLE_FIELDS if f not in fields]
        return fields

    def get_inlines(self, request, obj):
        # A user being created has no tokens yet.
        return self.inlines if obj is not None else []


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owner (API or the tokens page), where the key is shown once.

    The admin has no add form on purpose: a key created here would be seen by the manager, not by
    the person it identifies. Managers list, inspect and revoke tokens; the key itself is never
    stored, and its digest is not shown.
    """

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used", "revoked_at", "state")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter), "created_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username", "user__email")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used", "revoked_at")
    readonly_fields = fields
    actions = ["revoke_tokens"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    @admin.display(description="state")
    def state(self, token):
        return token_state(token)

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke_tokens(self, request, queryset):
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token_revoke(token=token, actor=request.user)
            revoked += 1
        if revoked:
            self.message_user(request, f"Revoked {revoked} token(s); they stop working at once.", messages.SUCCESS)
        else:
            self.message_user(request, "The selected tokens were already revoked.", messages.WARNING)


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record written by the services only: listed and shown, never added, changed or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit log: written by the services, never edited."""

    list_display = ("created_at", "action", "actor", "target_type", "target_repr")
    list_filter = ("action", "created_at", ("target_type", BlankLabelledValuesFilter))
    list_select_related = ("actor",)
    search_fields = ("target_repr", "target_id", "actor__username", "action")
    date_hierarchy = "created_at"
    fields = ("created_at", "actor", "action", "target_type", "target_id", "target_repr", "data")
    readonly_fields = fields

    def get_urls(self):
        return [path("export/", self.admin_site.admin_view(self.export_view), name="core_auditevent_export"), *super().get_urls()]

    def export_view(self, request):
        """The audit log as filtered in the list, as CSV; the export itself is audited."""
        if not (self.has_view_permission(request) and request.user.has_perm("core.export_auditevent")):
            raise PermissionDenied
        events = self.get_changelist_instance(request).get_queryset(request).select_related("actor")
        rows = [[e.pk, timezone.localtime(e.created_at).isoformat(), e.actor.username if e.actor else "", e.action,
                 e.target_type, e.target_id, e.target_repr, json.dumps(e.data, ensure_ascii=False, sort_keys=True)]
                for e in events]
        with transaction.atomic():
            audit_log(actor=request.user, action="core.auditevent.exported",
                      data={"rows": len(rows), "filters": {k: v for k, v in request.GET.items() if k != "o"}})
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="audit-log-{clock.now():%Y%m%d-%H%M%S}.csv"'
        writer = csv.writer(response)
        writer.writerow(["id", "time", "actor", "action", "target type", "target id", "target", "data"])
        writer.writerows(rows)
        return response


# --- Notification outbox (helper "notify") -----------------------------------------------------

@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The Discord outbox: what was (or will be) posted, and why a message failed."""

    list_display = ("id", "created_at", "event", "destination", "status", "attempts", "next_attempt_at", "sent_at", "error_brief")
    list_filter = ("status", "destination", "event")
    search_fields = ("event", "last_error")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    actions = ["retry"]
    fields = ("event", "destination", "status", "attempts", "next_attempt_at", "created_at", "sent_at", "last_error", "message")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("core.change_notification")

    @admin.display(description="last error")
    def error_brief(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.display(description="message (Discord JSON)")
    def message(self, obj):
        return format_html('<pre class="json-payload">{}</pre>', json.dumps(obj.payload, indent=2, ensure_ascii=False))

    @admin.action(description="Retry the selected failed notifications", permissions=["retry"])
    def retry(self, request, queryset):
        retried = 0
        with transaction.atomic():
            for notification in queryset:
                if notification_retry(notification=notification):
                    retried += 1
                    audit_log(actor=request.user, action="core.notification.retried", target=notification)
        skipped = queryset.count() - retried
        if retried:
            self.message_user(request, f"{retried} notification(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} notification(s) were not failed or disabled and were left alone.", messages.WARNING)


# --- Sign-in locks (django-axes) -----------------------------------------------------------------

admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class SignInLockAdmin(AxesAccessAttemptAdmin):
    """Failed sign-ins per account and client address; a row at the limit is a lock until its cool-off ends.

    Managers lift a lock with the action (audited), never by editing the counts.
    """

    list_display = ("attempt_time", "username", "ip_address", "failures_since_start", "locked", "locked_until")
    list_filter = (IsLockedOutFilter, "attempt_time")
    actions = ["lift_locks"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_lift_permission(self, request):
        return request.user.has_perm("axes.delete_accessattempt")

    def get_actions(self, request):
        # Django's "delete selected" would skip the audit; lifting is the one way.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(boolean=True, description="locked")
    def locked(self, obj):
        return obj.failures_since_start >= settings.AXES_FAILURE_LIMIT and obj.attempt_time + settings.AXES_COOLOFF_TIME > clock.now()

    @admin.display(description="locked until")
    def locked_until(self, obj):
        return obj.attempt_time + settings.AXES_COOLOFF_TIME if self.locked(obj) else "—"

    @admin.action(description="Lift the selected sign-in locks", permissions=["lift"])
    def lift_locks(self, request, queryset):
        lifted = sign_in_locks_lift(attempts=queryset, actor=request.user)
        self.message_user(request, f"Lifted {lifted} lock(s); those accounts can sign in from those addresses again.", messages.SUCCESS)
