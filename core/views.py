"""Account pages: register, profile with the Discord id, API tokens. Sign-in, sign-out and the
password change are Django's auth views (see core/urls.py)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from core.forms import ProfileForm, RegisterForm, TokenCreateForm
from core.models import ApiToken
from core.roles import LAB_MEMBERS
from core.services.audit import audit_log
from core.services.tokens import token_create, token_revoke


def register(request):
    """Open registration (settings.REGISTRATION_OPEN): a new account joins the Lab members group."""
    if not settings.REGISTRATION_OPEN:
        raise Http404("Registration is closed; ask a lab manager for an account.")
    if request.user.is_authenticated:
        return redirect("/")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # TODO(lead): switch to core.services.users.user_register once it lands on main.
        with transaction.atomic():
            user = form.save()
            members, _ = Group.objects.get_or_create(name=LAB_MEMBERS)
            user.groups.add(members)
            audit_log(actor=user, action="core.user.registered", target=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}. Pick devices on the schedule to book them.")
        return redirect("/")
    return render(request, "registration/register.html", {"form": form})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            audit_log(actor=request.user, action="core.user.profile_updated", target=request.user,
                      data={"fields": form.changed_data})
        messages.success(request, "Profile saved.")
        return redirect("profile")
    return render(request, "account/profile.html", {"form": form, "nav": "account"})


@login_required
def tokens(request):
    """List the member's API tokens and create one; the new key is shown once, on this response."""
    form = TokenCreateForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_key = token_create(user=request.user, name=form.cleaned_data["name"], expires_at=form.expires_at())
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Token “{token.name}” created. Copy the key now: it is not shown again.")
            form = TokenCreateForm()
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
