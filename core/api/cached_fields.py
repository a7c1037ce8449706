"""Faster ModelSerializers for hot endpoints.

A ModelSerializer introspects its model and builds every field on each instantiation (about a
quarter of a millisecond for a model with two nested objects). The fields depend only on
the class (Meta and declared fields), so build them once per class and give each instance a copy,
exactly as DRF does for declared fields. Not for serializers whose get_fields() depends on the
request or the instance.
"""

import copy


class CachedFieldsMixin:
    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_cached_fields_template")
        if template is None:
            # Two threads may both build it the first time: the results are equal, either one is kept.
            template = super().get_fields()
            cls._cached_fields_template = template
        return copy.deepcopy(template)
