"""Password guessing: django-axes settings hooks and the 429 answer.

django-axes counts failed sign-ins per account *and* client address (AXES_LOCKOUT_PARAMETERS), so a
lab behind one NAT address keeps signing in while one of its accounts is locked. The failures are
rows of axes' AccessAttempt table in the database, which every app process shares; lab managers see
them, and lift a lock, in the admin. A lock ends by itself after AXES_COOLOFF_TIME.

The doors: the sign-in page, the admin sign-in and POST /api/auth/token/ authenticate through axes'
backend; the registration page and API call `registration_check`/`registration_failed` below.
"""

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format

from core import clock
from core.usernames import username_key


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For as seen through NUM_PROXIES proxies.

    The same rule as the API throttle: without NUM_PROXIES the header is ignored, so that a client
    cannot name a fresh address on every attempt.
    """
    meta = request.META
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES")
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if proxies and forwarded:
        addresses = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addresses:
            return addresses[-min(proxies, len(addresses))]
    return meta.get("REMOTE_ADDR")


def attempt_username(request, credentials: dict | None) -> str | None:
    """The account an attempt names, as its username key, so "Alice" and "alice" count together."""
    username = (credentials or {}).get("username")
    if username is None and request is not None and request.method == "POST":
        username = request.POST.get("username")
    if username is None:
        return None
    # NUL and other control characters cannot be stored in every database's text columns.
    return "".join(ch for ch in username_key(str(username)) if ch.isprintable())[:150]


def locked_until(request, credentials: dict | None):
    """When the lock on this account from this address ends (the last failure + the cool-off)."""
    from axes.models import AccessAttempt

    cool_off = settings.AXES_COOLOFF_TIME
    last = AccessAttempt.objects.filter(
        username=attempt_username(request, credentials), ip_address=client_address(request)
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or clock.now()) + cool_off


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with Retry-After; JSON for the API, a page for people."""
    until = locked_until(request, credentials)
    seconds = max(1, int((until - clock.now()).total_seconds() + 0.999))
    minutes = max(1, round(seconds / 60))
    at = date_format(timezone.localtime(until), "H:i")
    message = (
        f"Too many failed sign-ins for this account from your address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''} (after {at}), "
        f"or ask a lab manager to lift the lock."
    )
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"detail": message, "retry_after": seconds}, status=429)
    else:
        response = render(request, "account/locked_out.html", {"message": message, "until": until}, status=429)
    response["Retry-After"] = str(seconds)
    response["Cache-Control"] = "no-store"
    return response


def registration_check(request, username: str) -> HttpResponse | None:
    """The 429 answer when `username` is locked for this client, else None.

    A registration names an account as a sign-in does; it is the same door for guessing.
    """
    from axes.handlers.proxy import AxesProxyHandler

    credentials = {"username": username}
    if settings.AXES_ENABLED and AxesProxyHandler.is_locked(request, credentials):
        return lockout_response(request, None, credentials)
    return None


def registration_failed(request, username: str) -> None:
    """Count a refused registration as a failure of this account from this client."""
    if username:
        user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
