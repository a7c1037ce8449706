from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`limit`/`offset` pages of {count, next, previous, results}; at most 1000 rows a page.

    A `limit` or `offset` that is not a whole number in range is a 400 (DRF would silently use the
    default, so a typo returned a different page than asked for).
    """

    default_limit = 50
    max_limit = 1000

    def _param(self, request, name: str, minimum: int, maximum: int | None) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        text = values[-1].strip()
        if len(values) > 1 or not (text.isascii() and text.isdigit()) or int(text) < minimum or (
            maximum is not None and int(text) > maximum
        ):
            upper = f" and at most {maximum}" if maximum is not None else ""
            raise ValidationError({name: [f"Give `{name}` once, as a whole number from {minimum}{upper}."]})
        return int(text)

    def get_limit(self, request):
        limit = self._param(request, self.limit_query_param, 1, self.max_limit)
        return self.default_limit if limit is None else limit

    def get_offset(self, request):
        offset = self._param(request, self.offset_query_param, 0, 2**63 - 1)
        return offset or 0

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
                  self.offset_query_param: {"minimum": 0, "maximum": 2**63 - 1}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
