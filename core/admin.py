# Register your models here.


# --- Notification outbox (helper "notify") ------------------------------------------------------
import json  # noqa: E402

from django.contrib import admin, messages  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils.html import format_html  # noqa: E402

from core.models import Notification  # noqa: E402
from core.services.audit import audit_log  # noqa: E402
from core.services.notifications import notification_retry  # noqa: E402


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
        return format_html("<pre style='white-space: pre-wrap'>{}</pre>", json.dumps(obj.payload, indent=2, ensure_ascii=False))

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
