"""Account pages: register, profile with the Discord id, API tokens. Sign-in, sign-out and the
password change are Django's auth views (see core/urls.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.forms import ProfileForm, RegisterForm, TokenCreateForm
from core.lockout import registration_check, registration_failed
from core.models import ApiToken, User
from core.services.tokens import token_create, token_revoke
from core.services.users import user_register, user_update_profile


def _form_errors(form, error: ValidationError, rename: dict | None = None) -> None:
    """Put a service's field-keyed ValidationError next to the form's fields."""
    rename = rename or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages_ in error.message_dict.items():
        field = rename.get(field, field)
        form.add_error(field if field in form.fields else None, messages_)


def register(request):
    """Open registration (settings.REGISTRATION_OPEN) through user_register: the account joins Lab members."""
    if not settings.REGISTRATION_OPEN:
        raise Http404("Registration is closed; ask a lab manager for an account.")
    if request.user.is_authenticated:
        return redirect("/")
    form = RegisterForm(request.POST or None)
    if request.method == "POST":
        username = request.POST.get("username", "")
        locked = registration_check(request, username)
        if locked is not None:
            return locked
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = user_register(username=data["username"], email=data["email"], password=data["password1"],
                                     discord_id=data.get("discord_id"))
            except ValidationError as error:
                _form_errors(form, error, {"password": "password2"})
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome, {user.username}. Pick devices on the schedule to book them.")
                return redirect("/")
        registration_failed(request, username)
    return render(request, "registration/register.html", {"form": form})


@login_required
def profile(request):
    # The form validates a copy: ModelForm writes cleaned values onto its instance, and the service
    # must see the user as stored to know what changed.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.is_valid():
        try:
            user_update_profile(user=request.user, actor=request.user,
                                data={field: form.cleaned_data[field] for field in ProfileForm.Meta.fields})
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, "Profile saved.")
            return redirect("profile")
    return render(request, "account/profile.html", {"form": form, "nav": "account"})


NEW_TOKEN_KEY = "new_api_token_key"


@login_required
def tokens(request):
    """List the member's API tokens and create one; the new key is shown once.

    After creating, the page redirects (so reloading it cannot create a second token) and shows
    the key kept for that one following request in request.session.
    """
    form = TokenCreateForm(request.POST or None)
    new_key = request.session.pop(NEW_TOKEN_KEY, None) if request.method == "GET" else None
    if request.method == "POST" and form.is_valid():
        try:
            token, key = token_create(user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            request.session[NEW_TOKEN_KEY] = key
            messages.success(request, f"Token “{token.name}” created. Copy the key now: it is not shown again.")
            return redirect("tokens")
    context = {
        "form": form,
        "new_key": new_key,
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
        "nav": "account",
    }
    response = render(request, "account/tokens.html", context)
    if new_key:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked.")
    return redirect("tokens")
