from django.urls import path
from rest_framework.routers import SimpleRouter

from scheduler.api import views_read

app_name = "scheduler-api"

urlpatterns = []

# --- read side: availability, next slot, schedule, access check, favorites (scheduler/api/views_read.py) ---
read_router = SimpleRouter()
read_router.register("favorites", views_read.FavoriteViewSet, basename="favorite")
urlpatterns += [
    path("availability/", views_read.AvailabilityView.as_view(), name="availability"),
    path("availability/next-slot/", views_read.NextSlotView.as_view(), name="availability-next-slot"),
    path("schedule/", views_read.ScheduleView.as_view(), name="schedule"),
    path("access-check/", views_read.AccessCheckView.as_view(), name="access-check"),
    *read_router.urls,
]
# --- end of read side ---
