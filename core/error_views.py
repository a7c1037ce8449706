"""Django's error answers (handler400/403/404/500): JSON under /api/, the usual pages elsewhere.

They answer what never reaches a DRF view: a URL that matches no route (e.g. `/api/inventory/devices/0.5/`),
a request Django refuses before any view (more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields, a body over
the size limit), a CSRF failure, or a crash. API clients always get `{"detail": ...}` as JSON.
"""

from django.http import JsonResponse
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Bad request: the request is malformed or too large."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "Server error; the lab managers can find it in the log."}, status=500)
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    if _is_api(request):
        return JsonResponse({"detail": f"CSRF check failed: {reason}"}, status=403)
    return django_csrf_failure(request, reason)
