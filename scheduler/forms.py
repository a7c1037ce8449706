"""Forms of the booking pages. They check shape only; the booking services check the rules."""

from datetime import date, datetime, time

from django import forms

from core.form_fields import IdMultipleChoiceField
from core.natural_order import natural_key
from inventory.models import Device, DeviceType, Port, Site, Tag
from scheduler.cart import PRESET_CHOICES, lab_zone, preset_windows
from scheduler.validators import validate_lab_date

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
TIME_INPUT = forms.TimeInput(format="%H:%M", attrs={"type": "time", "step": 1800})
MAX_RANGE_DAYS = 62


def usernames_split(value: str) -> list[str]:
    """'ana, bo  cy' → ['ana', 'bo', 'cy'] (commas or spaces), without duplicates."""
    names: list[str] = []
    for name in value.replace(",", " ").split():
        if name not in names:
            names.append(name)
    return names


class ScheduleFilterForm(forms.Form):
    week = forms.DateField(label="Week of", required=False, widget=DATE_INPUT, validators=[validate_lab_date])
    q = forms.CharField(
        label="Search", required=False, max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "name, type, port label or IP; comma-separated", "data-search": ""}),
    )
    device_type = forms.ModelChoiceField(label="Type", queryset=DeviceType.objects.all(), required=False, empty_label="All types")
    site = forms.ModelChoiceField(queryset=Site.objects.all(), required=False, empty_label="All sites")
    tag = forms.ModelChoiceField(queryset=Tag.objects.all(), required=False, empty_label="All tags")


class DevicePickerWidget(forms.SelectMultiple):
    """A multi-select that scheduler/device_picker.js turns into a searchable picker with chips.

    Without script it stays a plain multi-select. Each option carries what the search matches: the
    device's name, its type and its port labels (read with one query, only when the widget renders).
    """

    def __init__(self, attrs=None):
        super().__init__({"size": 10, "data-device-picker": "", **(attrs or {})})
        self.types: dict[int, str] = {}

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.types = dict(self.types)
        return copy

    def get_context(self, name, value, attrs):
        self._ports: dict[int, list[str]] = {}
        for device_id, label in Port.objects.order_by("name").values_list("device_id", "name"):
            self._ports.setdefault(device_id, []).append(label)
        return super().get_context(name, value, attrs)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        pk = int(str(value))
        words = [str(label), self.types.get(pk, ""), *getattr(self, "_ports", {}).get(pk, [])]
        option["attrs"]["data-search"] = " ".join(w for w in words if w)
        return option


class CartRangeForm(forms.Form):
    """Devices × a date range × a slot preset (or custom hours)."""

    devices = IdMultipleChoiceField(
        queryset=Device.objects.select_related("device_type").order_by("device_type__name", "name"),
        widget=DevicePickerWidget(),
        help_text="Type to find devices by name, type or port label; pick as many as you need.",
    )
    first_day = forms.DateField(label="From", widget=DATE_INPUT, validators=[validate_lab_date])
    last_day = forms.DateField(label="To (inclusive)", widget=DATE_INPUT, validators=[validate_lab_date])
    preset = forms.ChoiceField(label="Slot", choices=PRESET_CHOICES, initial="all_day")
    start_time = forms.TimeField(label="Custom start", required=False, widget=TIME_INPUT)
    end_time = forms.TimeField(label="Custom end", required=False, widget=TIME_INPUT,
                               help_text="At or before the start: ends the next day.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Grouped by type in the list, in natural order like the grid (one query); the field still
        # validates against its queryset.
        grouped: dict[str, list] = {}
        devices = sorted(self.fields["devices"].queryset,
                         key=lambda d: (natural_key(d.device_type.name), d.device_type_id, natural_key(d.name), d.pk))
        widget = self.fields["devices"].widget
        for device in devices:
            grouped.setdefault(device.device_type.name, []).append((device.pk, device.name))
            widget.types[device.pk] = device.device_type.name
        widget.choices = list(grouped.items())

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last:
            if last < first:
                self.add_error("last_day", "The last day must not be before the first.")
            elif (last - first).days >= MAX_RANGE_DAYS:
                self.add_error("last_day", f"Pick at most {MAX_RANGE_DAYS} days at once.")
        if data.get("preset") == "custom":
            if data.get("start_time") is None:
                self.add_error("start_time", "Give the start hour of the custom slot.")
            if data.get("end_time") is None:
                self.add_error("end_time", "Give the end hour of the custom slot.")
        if not self.errors:
            try:
                data["windows"] = preset_windows(first=first, last=last, preset=data["preset"],
                                                 start_time=data.get("start_time"), end_time=data.get("end_time"))
            except ValueError as exc:  # a wall-clock time the spring change skips: named, never shifted
                self.add_error("start_time" if data["preset"] == "custom" else None, f"{exc} Pick other hours.")
        return data


class CartDetailsForm(forms.Form):
    collaborators = forms.CharField(
        required=False, max_length=500,
        widget=forms.TextInput(attrs={"list": "user-suggestions", "autocomplete": "off", "placeholder": "usernames, comma-separated"}),
        help_text="They see the session and may extend it.",
    )
    message = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="What the devices are for; lab managers read it when deciding.")

    def usernames(self) -> list[str]:
        return usernames_split(self.cleaned_data.get("collaborators", ""))


def _lab_datetime(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=lab_zone())


class ExtendForm(forms.Form):
    end_day = forms.DateField(label="New end day", widget=DATE_INPUT, validators=[validate_lab_date])
    end_time = forms.TimeField(label="at", initial=time(7), widget=TIME_INPUT)

    def end(self) -> datetime:
        return _lab_datetime(self.cleaned_data["end_day"], self.cleaned_data["end_time"])


class RebookForm(forms.Form):
    start_day = forms.DateField(label="New start day", widget=DATE_INPUT, validators=[validate_lab_date])
    start_time = forms.TimeField(label="at", initial=time(7), widget=TIME_INPUT)

    def start(self) -> datetime:
        return _lab_datetime(self.cleaned_data["start_day"], self.cleaned_data["start_time"])


class CollaboratorsForm(forms.Form):
    collaborators = forms.CharField(
        required=False, max_length=500,
        widget=forms.TextInput(attrs={"list": "user-suggestions", "autocomplete": "off"}),
        help_text="Usernames, comma-separated; empty removes all.",
    )

    def usernames(self) -> list[str]:
        return usernames_split(self.cleaned_data.get("collaborators", ""))


class FavoriteForm(forms.Form):
    name = forms.CharField(max_length=100, label="Favorite name")


class PatchListForm(forms.Form):
    text = forms.CharField(
        label="Patch list", max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "[('tf_1', 'roadm_10_p2'), ('roadm_10_line', 'reel_3')]"}),
        help_text="Python tuples, JSON pairs, or one pair per line: “tf_1 roadm_10_p2”, “tf_1,roadm_10_p2” or “tf_1 -> roadm_10_p2”.",
    )
