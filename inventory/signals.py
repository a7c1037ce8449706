"""Signals the inventory sends so that apps above it (the scheduler) can react without being imported.

- device_status_changed: sender=Device; device, old_status, new_status, actor. Sent inside the
  transaction of the change, after the device row is saved, by every device write (API, admin,
  CSV import), from device_history_record.
"""

from django.dispatch import Signal

device_status_changed = Signal()
