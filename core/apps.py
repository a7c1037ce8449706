from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Accounts and audit"

    def ready(self):
        from core import receivers, schema  # noqa: F401  (OpenAPI auth extension; notification receivers)
