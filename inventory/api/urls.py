from core.api.routers import IdDefaultRouter
from inventory.api import views

app_name = "inventory-api"

router = IdDefaultRouter()
router.include_format_suffixes = False
router.register("device-types", views.DeviceTypeViewSet, basename="device-type")
router.register("manufacturers", views.ManufacturerViewSet, basename="manufacturer")
router.register("sites", views.SiteViewSet, basename="site")
router.register("tags", views.TagViewSet, basename="tag")
router.register("devices", views.DeviceViewSet, basename="device")
router.register("ports", views.PortViewSet, basename="port")
router.register("links", views.LinkViewSet, basename="link")
router.register("attachments", views.AttachmentViewSet, basename="attachment")
router.register("stats", views.StatsViewSet, basename="stats")
router.register("pdus", views.PduViewSet, basename="pdu")
router.register("outlets", views.OutletViewSet, basename="outlet")

urlpatterns = router.urls
