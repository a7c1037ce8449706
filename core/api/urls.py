from django.urls import path

from core.api import views
from core.api.routers import IdRouter

app_name = "core-api"

router = IdRouter()
router.register("auth/tokens", views.ApiTokenViewSet, basename="token")

urlpatterns = [
    path("auth/register/", views.RegisterView.as_view(), name="register"),
    path("auth/token/", views.TokenCreateView.as_view(), name="token-create"),
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
]
