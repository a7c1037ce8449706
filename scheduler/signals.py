"""The scheduler's signals. Its services send them inside their transaction; the receivers in
scheduler.notifications.receivers build the Discord message and write it to core's outbox in that
same transaction, so nothing is recorded for a change that rolls back.

Every signal is sent with `sender` = the model class of the main object and these keyword args:

- booking_requested:    group, bookings (list, new rows of this submission), actor
- booking_decided:      group, bookings (the rows decided together), decision ("confirmed" |
                        "rejected"), actor, note
- booking_cancelled:    group, bookings (rows cancelled together), actor
- booking_extended:     group, bookings (the changed or added rows), actor
- booking_rebooked:     group (the new session), source (the session copied), bookings, actor
- maintenance_scheduled: window, rejected (undecided bookings it rejected), cancelled
                        (confirmed bookings it cancelled), actor
- booking_expired:      bookings (all rows expired in one pass; may span groups)
- booking_reminder:     bookings (confirmed rows due for a reminder; may span groups), kind
                        ("start" | "end") — sent by scheduler.services.reminders from the worker
"""

from django.dispatch import Signal

booking_requested = Signal()
booking_decided = Signal()
booking_cancelled = Signal()
booking_extended = Signal()
booking_rebooked = Signal()
maintenance_scheduled = Signal()
booking_expired = Signal()
booking_reminder = Signal()
