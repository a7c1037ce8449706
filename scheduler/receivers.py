"""The scheduler's answers to other apps' signals (connected in SchedulerConfig.ready())."""

from inventory.choices import DeviceStatus


def device_status_changed(sender, *, device, old_status, new_status, actor=None, **kwargs):
    """A device just retired loses its undecided requests (see booking_device_retired)."""
    if new_status == DeviceStatus.RETIRED and old_status != DeviceStatus.RETIRED:
        from scheduler.services.booking import booking_device_retired

        booking_device_retired(device=device, actor=actor)


def device_capacity_check(sender, *, changes, **kwargs) -> list[str]:
    """Why devices cannot go down to a capacity: the sessions holding the units beyond it."""
    from scheduler.services.booking.units import capacity_refusal

    return [message for device, capacity in changes if (message := capacity_refusal(device, capacity))]


def device_capacity_lowered(sender, *, changes, actor=None, **kwargs):
    """A lower capacity is refused (ValidationError) or the devices' units are renumbered within it."""
    from scheduler.services.booking.units import units_capacity_lowered

    units_capacity_lowered(changes=changes, actor=actor)
