"""Forms of the account pages. Shape only; the services check the rules."""

from datetime import datetime, time

from django import forms
from django.contrib.auth.forms import AdminPasswordChangeForm, PasswordChangeForm, UserCreationForm
from django.utils import timezone

from core.models import User, discord_id_validator


class RegisterForm(UserCreationForm):
    email = forms.EmailField(help_text="So that lab managers can reach you.")
    discord_id = forms.CharField(
        label="Discord id", required=False, max_length=20, validators=[discord_id_validator],
        help_text="Optional. In Discord: Settings → Advanced → Developer Mode, then right-click your name → Copy User ID.",
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "discord_id")

    def clean_discord_id(self):
        return self.cleaned_data["discord_id"] or None


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("first_name", "last_name", "email", "discord_id")
        labels = {"discord_id": "Discord id"}


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. “polatis-scripts on lab-pc-3”.")
    expires_on = forms.DateField(
        label="Expires on", required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="Optional; the token stops working at the end of this day (lab time). Empty: never expires.",
    )

    def expires_at(self) -> datetime | None:
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day, time(23, 59, 59), tzinfo=timezone.get_current_timezone())


SIGN_OUT_EVERYWHERE_HELP = (
    "Also revoke the API tokens and calendar feed URLs made before. Browsers signed in elsewhere are "
    "signed out in any case."
)


def sign_out_everywhere_field() -> forms.BooleanField:
    return forms.BooleanField(label="Sign out everywhere", required=False, initial=True,
                              help_text=SIGN_OUT_EVERYWHERE_HELP)


class LabPasswordChangeForm(PasswordChangeForm):
    """The member's own password change, with "sign out everywhere" ticked by default."""

    sign_out_everywhere = sign_out_everywhere_field()


class LabAdminPasswordChangeForm(AdminPasswordChangeForm):
    """A manager's password reset in the admin, with "sign out everywhere" ticked by default."""

    sign_out_everywhere = sign_out_everywhere_field()
