"""The scheduler's answers to other apps' signals (connected in SchedulerConfig.ready())."""

from inventory.choices import DeviceStatus


def device_status_changed(sender, *, device, old_status, new_status, actor=None, **kwargs):
    """A device just retired loses its undecided requests (see booking_device_retired)."""
    if new_status == DeviceStatus.RETIRED and old_status != DeviceStatus.RETIRED:
        from scheduler.services.booking import booking_device_retired

        booking_device_retired(device=device, actor=actor)
