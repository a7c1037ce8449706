from django.apps import AppConfig


def _poll_pdus(*, now):
    # Imported here: services load models, which must not happen before the app registry is ready.
    from inventory.services.power import pdu_readings_poll

    return pdu_readings_poll(now=now)


class InventoryConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'inventory'

    def ready(self):
        from core import jobs

        # Periodic job of `manage.py run_worker`: read the PDUs whose readings are older than POWER_POLL_SECONDS.
        jobs.job_register("inventory.pdu_readings_poll", _poll_pdus)
