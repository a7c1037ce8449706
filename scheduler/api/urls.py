app_name = "scheduler-api"

urlpatterns = []
