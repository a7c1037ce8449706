"""Constraints only PostgreSQL enforces, declared on models like any other constraint.

`PostgresExclusionConstraint` is Django's ExclusionConstraint that other databases skip: SQLite
has no exclusion constraints, so there it adds no SQL and validates nothing, and the services'
own checks under their locks are the only guard. On PostgreSQL the constraint is the last word,
whatever the code above it does. `TsTzRange` builds the half-open `[start, end)` range of two
datetime columns for such a constraint.
"""

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Func


class TsTzRange(Func):
    """tstzrange(start, end): '[)' bounds, like every window in labsite."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL; nothing at all on other databases."""

    @staticmethod
    def _postgres(schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return super().constraint_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._postgres(schema_editor) else None

    def validate(self, model, instance, exclude=None, using=DEFAULT_DB_ALIAS):
        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)
