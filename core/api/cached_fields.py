"""Faster serializers for hot endpoints.

A ModelSerializer introspects its model and builds every field on each instantiation (about a
quarter of a millisecond for a model with two nested objects), and every serializer deep-copies
its declared fields, which re-runs each field's __init__. The fields depend only on the class (Meta
and declared fields), so build them once per class and give each instance copies:

- a field is copied shallowly: the copy is unbound, and binding it to its serializer (name, parent,
  source) sets attributes of the copy only; its settings (validators, choices, messages) are read,
  never changed, so sharing them with the template is safe across requests and threads. A nested
  serializer builds its own fields when first used, so it is copied the same way;
- a field that already holds bound children (a list of serializers, a ListField's child, a
  many-related field, a serializer whose fields were built) is deep-copied, as DRF does, so its
  children are bound to it alone.

Not for serializers whose get_fields() depends on the request or the instance.
"""

import copy

from rest_framework.serializers import BaseSerializer


def _holds_fields(field) -> bool:
    return (hasattr(field, "child") or hasattr(field, "child_relation")
            or (isinstance(field, BaseSerializer) and "fields" in field.__dict__))


class CachedFieldsMixin:
    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_cached_fields_template")
        if template is None:
            # Two threads may both build it the first time: the results are equal, either one is kept.
            template = super().get_fields()
            cls._cached_fields_template = template
        return {name: copy.deepcopy(field) if _holds_fields(field) else copy.copy(field) for name, field in template.items()}
