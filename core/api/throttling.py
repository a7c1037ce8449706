"""Throttles of the accounts API."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class AuthRateThrottle(ScopedRateThrottle):
    """ScopedRateThrottle that reads its rate when asked, not once at import.

    DRF binds THROTTLE_RATES when the class is defined, so a rate changed in settings (tests, or a
    reloaded configuration) would otherwise be ignored. The rate is REST_FRAMEWORK
    ["DEFAULT_THROTTLE_RATES"][scope], set from AUTH_THROTTLE_RATE for the "auth" scope.
    """

    def get_rate(self):
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"Set REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'][{self.scope!r}].") from None

    def get_ident(self, request):
        # With NUM_PROXIES unset DRF trusts any X-Forwarded-For, so a client could name a fresh
        # address on every attempt. Only trust the header when the number of proxies is configured.
        if api_settings.NUM_PROXIES is None:
            return request.META.get("REMOTE_ADDR")
        return super().get_ident(request)
