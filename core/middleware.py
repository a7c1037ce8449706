"""Request checks that hold for every page, the admin and the API."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.middleware.gzip import GZipMiddleware as DjangoGZipMiddleware

NUL_MESSAGE = "Text may not contain NUL (\\u0000) characters."


def _has_nul(querydict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values if isinstance(value, str))
               for key, values in querydict.lists())


class RejectNulMiddleware:
    """Refuse a NUL character in the path, a query parameter or a form field with a 400.

    PostgreSQL text cannot hold NUL: a filter such as `/admin/<app>/<model>/?status__exact=%00`
    reached the database and failed with a 500. JSON bodies are checked by core.api.parsers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        bad = "\x00" in request.path or _has_nul(request.GET)
        if not bad and request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded", "multipart/form-data"
        ):
            bad = _has_nul(request.POST)
        if bad:
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class GZipMiddleware(DjangoGZipMiddleware):
    """Django's gzip (with its padding against BREACH) for bodies of at least 1 KiB.

    Below that, the padded gzip saves at most a few hundred bytes, less than one packet, and costs
    about 0.2 ms of CPU per answer; most API answers about one object are 300-600 bytes.
    """

    min_length = 1024

    def process_response(self, request, response):
        if not response.streaming and len(response.content) < self.min_length:
            return response
        return super().process_response(request, response)
