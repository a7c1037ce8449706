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


def _luminance(color: str) -> float | None:
    """WCAG relative luminance of '#rrggbb' (or '#rgb'), None if it is not such a colour."""
    value = (color or "").strip().lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    try:
        channels = [int(value[i:i + 2], 16) / 255 for i in (0, 2, 4)] if len(value) == 6 else None
    except ValueError:
        return None
    if channels is None:
        return None
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@register.filter
def ink(color: str) -> str:
    """'dark-ink' when near-black text reads better than white on `color` (a tag's background)."""
    luminance = _luminance(color)
    if luminance is None:
        return ""
    on_white_text = 1.05 / (luminance + 0.05)
    on_dark_text = (luminance + 0.05) / (0.0056 + 0.05)  # #111
    return "dark-ink" if on_dark_text > on_white_text else ""
