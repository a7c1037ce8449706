"""What several page views share: turning service errors into messages, htmx-aware redirects."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from core.exceptions import ApplicationError, RuleConflict


def error_text(error: ApplicationError) -> str:
    """The service's message, followed by each failing item's reason."""
    text = error.message
    if isinstance(error, RuleConflict) and error.conflicts:
        # Conflicts carry a machine code ("reason") and the readable "message".
        extra = [str(c.get("message") or c.get("reason")) for c in error.conflicts if c.get("message") or c.get("reason")]
        extra = [m for m in dict.fromkeys(extra) if m not in text]
        if extra:
            text = f"{text} {' '.join(extra)}"
    return text


def flash_error(request, error: ApplicationError) -> None:
    messages.error(request, error_text(error))


def back(request, fallback: str, *, anchor: str = ""):
    """Redirect to a safe `next` (form field or query) or to `fallback`, at `#anchor` if given;
    htmx follows it with HX-Redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = ""
    target = target or resolve_url(fallback)
    if anchor:
        target = f"{target.split('#')[0]}#{anchor}"
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)
