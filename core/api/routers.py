"""API routers whose detail routes only match ids the database can hold.

DRF's default lookup (`[^/.]+`) hands anything to the view: "0.5" or a 25-digit number then reached
the query (a foreign-key filter on SQLite overflowed: a 500). Ids here are whole numbers of at most
18 digits (below 2^63 − 1); anything else matches no route and answers a JSON 404.
"""

from rest_framework import routers

ID_REGEX = r"[0-9]{1,18}"


class _IdLookupMixin:
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        regex = getattr(viewset, "lookup_value_regex", None)
        if lookup_field not in ("pk", "id") or regex not in (None, "[0-9]+", r"\d+"):
            return super().get_lookup_regex(viewset, lookup_prefix)
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        return f"(?P<{lookup_prefix}{kwarg}>{ID_REGEX})"


class IdRouter(_IdLookupMixin, routers.SimpleRouter):
    pass


class IdDefaultRouter(_IdLookupMixin, routers.DefaultRouter):
    pass
