from rest_framework.routers import DefaultRouter

from scheduler.api import views

app_name = "scheduler-api"

router = DefaultRouter()
# --- bookings, sessions, maintenance (helper "book") ---
router.register("bookings", views.BookingViewSet, basename="booking")
router.register("booking-groups", views.BookingGroupViewSet, basename="booking-group")
router.register("maintenance-windows", views.MaintenanceWindowViewSet, basename="maintenance-window")
# --- end of "book" block ---

urlpatterns = router.urls
