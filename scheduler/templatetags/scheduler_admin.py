from datetime import datetime, time, timedelta

from django import template
from django.utils import timezone

from core import clock
from core.roles import can_decide_requests
from scheduler.selectors.bookings import admin_dashboard
from scheduler.selectors.insight.activity import dashboard_cards

register = template.Library()


@register.inclusion_tag("scheduler/admin/dashboard.html", takes_context=True)
def scheduler_dashboard(context):
    """The booking dashboard on the admin index, for lab managers."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not (can_decide_requests(user) or (user and user.has_perm("scheduler.view_reports"))):
        return {"show": False}
    now = clock.now()
    today = now.astimezone(timezone.get_default_timezone()).date()
    monday = datetime.combine(today - timedelta(days=today.weekday()), time.min, tzinfo=timezone.get_default_timezone())
    return {"show": True, "dash": admin_dashboard(),
            "cards": dashboard_cards(now=now, week_start=monday),
            "can_report": user.has_perm("scheduler.view_reports")}
