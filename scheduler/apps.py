from django.apps import AppConfig


def _expire_due(*, now):
    # Imported here: the booking services load the whole scheduler, which must not happen in ready().
    from scheduler.services.booking import booking_expire_due

    return len(booking_expire_due(now=now))


def _send_reminders(*, now):
    from scheduler.services.reminders import booking_reminders_send

    return booking_reminders_send(now=now)


def _power_schedule(*, now):
    from scheduler.services.power_schedule import power_schedule_apply

    return power_schedule_apply(now=now)


class SchedulerConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'scheduler'

    def ready(self):
        from core import jobs
        from inventory.models import Device
        from inventory.signals import device_capacity_check, device_capacity_lowered, device_status_changed
        from scheduler import receivers
        from scheduler.notifications import receivers as notification_receivers  # noqa: F401  (@receiver)

        device_status_changed.connect(receivers.device_status_changed, sender=Device,
                                      dispatch_uid="scheduler.device_status_changed")
        device_capacity_check.connect(receivers.device_capacity_check, sender=Device,
                                      dispatch_uid="scheduler.device_capacity_check")
        device_capacity_lowered.connect(receivers.device_capacity_lowered, sender=Device,
                                        dispatch_uid="scheduler.device_capacity_lowered")

        # Port reservations of a topology session follow their bookings (scheduler/topology/receivers.py).
        from scheduler import signals
        from scheduler.topology.receivers import port_reservations_release

        for signal in (signals.booking_cancelled, signals.booking_decided, signals.booking_expired,
                       signals.maintenance_scheduled):
            signal.connect(port_reservations_release, dispatch_uid=f"scheduler.port_reservations_release.{id(signal)}")

        # Periodic jobs of `manage.py run_worker`, run in this order on every pass.
        jobs.job_register("scheduler.booking_expire_due", _expire_due)
        jobs.job_register("scheduler.booking_reminders_send", _send_reminders)
        jobs.job_register("scheduler.power_schedule_apply", _power_schedule)
