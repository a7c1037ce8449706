"""Map service errors to HTTP once, for every API view."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from core.exceptions import ApplicationError, RuleConflict


def exception_handler(exc, context):
    if isinstance(exc, RuleConflict):
        return Response({"detail": exc.message, "conflicts": exc.conflicts, **exc.extra}, status=exc.status_code)
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, **exc.extra}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        detail = {api_settings.NON_FIELD_ERRORS_KEY if key == NON_FIELD_ERRORS else key: value for key, value in detail.items()}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)
