from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """`limit`/`offset` pages of {count, next, previous, results}; at most 1000 rows a page."""

    default_limit = 50
    max_limit = 1000
