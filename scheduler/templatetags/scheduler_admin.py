from django import template

from core.roles import is_lab_manager
from scheduler.selectors.bookings import admin_dashboard

register = template.Library()


@register.inclusion_tag("scheduler/admin/dashboard.html", takes_context=True)
def scheduler_dashboard(context):
    """The booking dashboard on the admin index, for lab managers."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if not is_lab_manager(user):
        return {"show": False}
    return {"show": True, "dash": admin_dashboard()}
