from django.urls import path, re_path

from core.api.routers import ID_REGEX, IdDefaultRouter, IdRouter
from scheduler.api import power, topology_views, views, views_insight, views_read

app_name = "scheduler-api"

router = IdDefaultRouter()
# --- bookings, sessions, maintenance (helper "book") ---
router.register("bookings", views.BookingViewSet, basename="booking")
router.register("booking-groups", views.BookingGroupViewSet, basename="booking-group")
router.register("maintenance-windows", views.MaintenanceWindowViewSet, basename="maintenance-window")
# --- end of "book" block ---

urlpatterns = router.urls

# --- topologies (scheduler/api/topology_views.py) ---
topology_router = IdRouter()
topology_router.register("topologies", topology_views.TopologyViewSet, basename="topology")
urlpatterns += topology_router.urls
urlpatterns += [re_path(rf"^booking-groups/(?P<pk>{ID_REGEX})/wiring/$", topology_views.SessionWiringView.as_view(), name="booking-group-wiring")]
# --- end of topologies ---

# --- read side: availability, next slot, schedule, access check, favorites (scheduler/api/views_read.py) ---
read_router = IdRouter()
read_router.register("favorites", views_read.FavoriteViewSet, basename="favorite")
urlpatterns += [
    path("availability/", views_read.AvailabilityView.as_view(), name="availability"),
    path("availability/next-slot/", views_read.NextSlotView.as_view(), name="availability-next-slot"),
    path("schedule/", views_read.ScheduleView.as_view(), name="schedule"),
    path("access-check/", views_read.AccessCheckView.as_view(), name="access-check"),
    *read_router.urls,
]
# --- end of read side ---

# --- power control (scheduler/api/power.py) ---
urlpatterns += [
    path("power/outlets/", power.PowerOutletViewSet.as_view({"get": "list"}), name="power-outlet-list"),
    re_path(rf"^power/outlets/(?P<pk>{ID_REGEX})/$", power.PowerOutletViewSet.as_view({"get": "retrieve", "post": "switch"}),
         name="power-outlet-detail"),
]

# --- insight: what is free, demand (scheduler/api/views_insight.py) ---
urlpatterns += [
    path("free/", views_insight.FreeView.as_view(), name="free"),
    path("demand/", views_insight.DemandView.as_view(), name="demand"),
]
