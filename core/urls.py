"""Account pages. Sign-in, sign-out and password change are Django's own views."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import path, reverse_lazy

from core import views
from core.forms import LabPasswordChangeForm
from core.services.passwords import user_password_save


class PasswordChangeView(auth_views.PasswordChangeView):
    # Not registration/password_change_form.html: the admin renders that name for its own page.
    template_name = "account/password_change.html"
    form_class = LabPasswordChangeForm
    success_url = reverse_lazy("profile")
    extra_context = {"nav": "account"}

    def form_valid(self, form):
        everywhere = form.cleaned_data["sign_out_everywhere"]
        user = user_password_save(user=form.save(commit=False), actor=self.request.user, sign_out_everywhere=everywhere)
        # This browser stays signed in; every other browser is signed out with the old password.
        update_session_auth_hash(self.request, user)
        messages.success(self.request, "Password changed. You were signed out everywhere else; your API tokens and "
                         "calendar feed URLs were revoked." if everywhere else
                         "Password changed. Other browsers were signed out; API tokens and calendar feeds keep working.")
        return HttpResponseRedirect(self.get_success_url())


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", views.register, name="register"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token-revoke"),
]
