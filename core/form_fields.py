"""Form fields shared by the apps' page forms and query filters."""

from django import forms

# The largest id a BigAutoField holds. A bigger number in an `__in` query overflows SQLite's
# INTEGER inside the database driver (a 500), so such ids are refused before querying.
MAX_ID = 2**63 - 1


class IdRangeCheckMixin:
    """For ModelMultipleChoiceField and its subclasses: refuse ids that are not plain whole numbers
    within the id range with the field's usual "not a valid value" error."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk).strip()
            if not (text.isascii() and text.isdigit()) or int(text) > MAX_ID:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return super()._check_values(value)


class IdMultipleChoiceField(IdRangeCheckMixin, forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that never lets an impossible id reach the database."""
