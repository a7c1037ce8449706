app_name = "inventory-api"

urlpatterns = []
