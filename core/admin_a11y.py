"""Accessible names for Django admin controls that the admin leaves unnamed (WCAG 2.1: 1.3.1, 4.1.2).

- A split date/time field (AdminSplitDateTime) labels neither of its two inputs: they are named
  "<field>: date" and "<field>: time".
- A tabular inline's inputs are labelled only by their column header: each is named
  "<column> (<row thing> <n>)", and the row's delete box "Delete <row thing> <n>".
- An autocomplete field in such a row is drawn by select2, which does not pass that name on:
  core/static/core/admin_autocomplete_names.js copies it onto select2's combobox and text.
- A list filter over a field's values shows an empty link for blank values: it reads "(blank)".

Use LabelledFieldsMixin on a ModelAdmin or inline with editable fields, LabelledTabularInline for
tabular inlines and BlankLabelledValuesFilter in list_filter. What cannot be fixed from outside is in
the browser tests' allow-list (scheduler/tests/browser/axe.py).
"""

from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.forms.models import BaseInlineFormSet


def name_split_datetime(formfield) -> None:
    widget = getattr(formfield, "widget", None)
    if isinstance(widget, AdminSplitDateTime):
        label = str(formfield.label or "").capitalize()
        widget.widgets[0].attrs.setdefault("aria-label", f"{label}: date")
        widget.widgets[1].attrs.setdefault("aria-label", f"{label}: time")


class LabelledFieldsMixin:
    """Names the inputs of split date/time fields."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        name_split_datetime(formfield)
        return formfield


class LabelledInlineFormSet(BaseInlineFormSet):
    """Names every visible input of a tabular inline row by its column and row."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        thing = self.model._meta.verbose_name
        row = f"{thing} {index + 1}" if index is not None else f"new {thing}"
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            label = f"Delete {row}" if name == "DELETE" else f"{str(field.label or name).capitalize()} ({row})"
            # A related field's widget is wrapped (RelatedFieldWidgetWrapper); name the widget drawn.
            getattr(field.widget, "widget", field.widget).attrs.setdefault("aria-label", label)


class LabelledTabularInline(LabelledFieldsMixin, admin.TabularInline):
    formset = LabelledInlineFormSet

    class Media:
        # select2 (autocomplete_fields) does not pass the <select>'s name on to its own controls.
        js = ("core/admin_autocomplete_names.js",)


class BlankLabelledValuesFilter(admin.AllValuesFieldListFilter):
    """AllValuesFieldListFilter whose blank value is a named link, "(blank)"."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] in ("", None):
                choice = {**choice, "display": "(blank)"}
            yield choice
