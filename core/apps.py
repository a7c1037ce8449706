from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "core"
    verbose_name = "Accounts and audit"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import m2m_changed

        from core import checks, jobs, schema  # noqa: F401  (system checks; OpenAPI auth extension)
        from core.roles import managers_are_staff
        from core.services.planner_statistics import planner_statistics_refresh

        m2m_changed.connect(managers_are_staff, sender=get_user_model().groups.through,
                            dispatch_uid="core.managers_are_staff")
        # The worker's periodic job: SQLite's planner statistics, once a day (core/services/planner_statistics.py).
        jobs.job_register("core.planner_statistics_refresh", planner_statistics_refresh)
