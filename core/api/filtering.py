"""List filters apply to lists only.

DRF runs a view's filter backends in get_object() too, so `?mine=false` on a single-item `POST
…/{id}/<action>/` hid the caller's own record (a 404), and the
schema documented the list's filters on single-item actions. Here they apply to the `list` action
(and to plain GET views without actions) only.
"""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter


def is_list_request(view) -> bool:
    action = getattr(view, "action", None)
    return action == "list" if action is not None else view.request is None or view.request.method == "GET"


class ListFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        if not is_list_request(view):
            return queryset
        return super().filter_queryset(request, queryset, view)


class ListOrderingFilter(OrderingFilter):
    def filter_queryset(self, request, queryset, view):
        if not is_list_request(view):
            return queryset
        return super().filter_queryset(request, queryset, view)
