from scheduler.choices import BookingStatus

# Bookings that hold capacity on a device.
ACTIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFLICTING, BookingStatus.CONFIRMED)
# Requests still waiting for a lab manager.
UNDECIDED_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFLICTING)
# No further change is possible.
FINAL_STATUSES = (BookingStatus.REJECTED, BookingStatus.CANCELLED, BookingStatus.EXPIRED)
