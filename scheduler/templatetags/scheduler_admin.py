from django import template

from core.roles import can_decide_bookings
from scheduler.choices import STATUS_COLORS
from scheduler.selectors.bookings import admin_dashboard

register = template.Library()


@register.inclusion_tag("scheduler/admin/dashboard.html", takes_context=True)
def scheduler_dashboard(context):
    """The booking dashboard on the admin index, for lab managers."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not (can_decide_bookings(user) or (user and user.has_perm("scheduler.view_reports"))):
        return {"show": False}
    return {"show": True, "dash": admin_dashboard(), "colors": STATUS_COLORS}
