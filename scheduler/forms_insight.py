"""Forms of the insight pages: the "what is free" window and the demand filters."""

from datetime import datetime, time, timedelta

from django import forms

from core import clock
from inventory.models import Device, DeviceType, Site
from scheduler.cart import lab_zone
from scheduler.selectors.availability import grid_ceil, policy_read
from scheduler.selectors.insight.demand import DEFAULT_WEEKS, MAX_WEEKS
from scheduler.validators import validate_lab_date

DATETIME_INPUT = forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local", "step": 1800})
MAX_WINDOW = timedelta(days=31)


def week_window(monday) -> tuple[datetime, datetime]:
    """The lab days of a week (Monday 07:00 to the next Monday 07:00), from the next slot of the grid when
    the week has begun: a window in the past could not be booked."""
    tz = lab_zone()
    start, end = datetime.combine(monday, time(7), tzinfo=tz), datetime.combine(monday + timedelta(days=7), time(7), tzinfo=tz)
    upcoming = grid_ceil(clock.now(), policy_read().slot_minutes, tz).astimezone(tz)
    return (upcoming if start < upcoming < end else start), end


class FreeWindowForm(forms.Form):
    start = forms.DateTimeField(label="From", required=False, widget=DATETIME_INPUT)
    end = forms.DateTimeField(label="To", required=False, widget=DATETIME_INPUT)
    week = forms.DateField(required=False, widget=forms.HiddenInput, validators=[validate_lab_date])
    device_type = forms.ModelChoiceField(label="Type", queryset=DeviceType.objects.all(), required=False, empty_label="All types")
    site = forms.ModelChoiceField(queryset=Site.objects.all(), required=False, empty_label="All sites")

    @staticmethod
    def default_window() -> dict:
        """The window shown before the member picks one: this week's lab days."""
        today = clock.now().astimezone(lab_zone()).date()
        start, end = week_window(today - timedelta(days=today.weekday()))
        return {"start": start, "end": end}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("week") and not (data.get("start") or data.get("end")):
            monday = data["week"] - timedelta(days=data["week"].weekday())
            data["start"], data["end"] = week_window(monday)
        if not data.get("start"):
            data.update(self.default_window())
        data["end"] = data.get("end") or data["start"] + timedelta(days=1)
        if data["end"] <= data["start"]:
            raise forms.ValidationError("The end must be after the start.")
        if data["end"] - data["start"] > MAX_WINDOW:
            raise forms.ValidationError("Ask for a window of at most 31 days.")
        return data


class CartAddOneForm(forms.Form):
    """One device for one window, from the "what is free" page."""

    device = forms.ModelChoiceField(queryset=Device.objects.all())
    start = forms.DateTimeField()
    end = forms.DateTimeField()

    def clean(self):
        data = super().clean()
        if not self.errors and data["end"] <= data["start"]:
            raise forms.ValidationError("The end must be after the start.")
        return data


class DemandForm(forms.Form):
    weeks = forms.IntegerField(label="Weeks", min_value=1, max_value=MAX_WEEKS, required=False, initial=DEFAULT_WEEKS,
                               help_text="How many full weeks before today.")
    device_type = forms.ModelChoiceField(label="Type", queryset=DeviceType.objects.all(), required=False, empty_label="All types")
