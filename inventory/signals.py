"""Signals the inventory sends so that apps above it (the scheduler) can react without being imported.

- device_status_changed: sender=Device; device, old_status, new_status, actor. Sent inside the
  transaction of the change, after the device row is saved, by every device write (API, admin,
  CSV import), from device_history_record.
- device_capacity_check: sender=Device; changes (a list of (device, new effective capacity)).
  Sent before a write lowers devices' capacity (a device's override, its type, or its type's
  default), by forms that want to show the refusal next to the field. A receiver returns a list
  of messages, one per device that cannot go down (empty: it can). Reads only.
- device_capacity_lowered: sender=Device; changes, actor. Sent inside the transaction of a write
  that lowered devices' capacity, after the rows are saved, by every path (API, admin, CSV
  import). A receiver may refuse by raising django.core.exceptions.ValidationError (the write is
  rolled back), or adapt what it keeps about the devices.
The scheduler answers both (the bookings that hold more units than the new capacity).
"""

from django.dispatch import Signal

device_status_changed = Signal()
device_capacity_check = Signal()
device_capacity_lowered = Signal()
