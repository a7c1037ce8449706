"""Content negotiation that answers an unknown `?format=` with a clear 406, not DRF's bare 404.

DRF treats `?format=xyz` as part of the URL and answers "Not found." when no renderer has that format;
the API documents `format` where an endpoint offers several (CSV exports offer csv and json), so an
unknown one (or an empty `?format=`) is a request the endpoint cannot satisfy: 406, naming the formats it can.
"""

from rest_framework.exceptions import NotAcceptable
from rest_framework.negotiation import DefaultContentNegotiation


class FormatNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        if not format_suffix and request.query_params.get(self.settings.URL_FORMAT_OVERRIDE, None) == "":
            raise NotAcceptable("Give a format (`?format=` is empty) or leave the parameter out.")
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        matching = [renderer for renderer in renderers if renderer.format == format]
        if not matching:
            offered = ", ".join(sorted({renderer.format for renderer in renderers}))
            raise NotAcceptable(f"Unknown format {format!r}; this endpoint answers in: {offered}.")
        return matching
