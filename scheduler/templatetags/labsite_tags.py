"""Small template tags the page layout needs on every page."""

from django import template
from django.conf import settings

from scheduler.cart import Cart

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_count(context) -> str:
    """Number of items in the signed-in member's booking cart, or an empty string."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return ""
    count = len(Cart(request.session))
    return str(count) if count else ""


@register.simple_tag
def registration_open() -> bool:
    return bool(getattr(settings, "REGISTRATION_OPEN", False))


@register.simple_tag
def lab_time_zone() -> str:
    return settings.TIME_ZONE


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
