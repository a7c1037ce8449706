"""Account pages. Sign-in, sign-out and password change are Django's own views."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from core import views


class PasswordChangeView(auth_views.PasswordChangeView):
    # Not registration/password_change_form.html: the admin renders that name for its own page.
    template_name = "account/password_change.html"
    success_url = reverse_lazy("profile")
    extra_context = {"nav": "account"}

    def form_valid(self, form):
        messages.success(self.request, "Password changed.")
        return super().form_valid(form)


urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/register/", views.register, name="register"),
    path("accounts/password/", PasswordChangeView.as_view(), name="password_change"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke_view, name="token-revoke"),
]
