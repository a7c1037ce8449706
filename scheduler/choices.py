from django.db import models


class BookingStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFLICTING = "conflicting", "Conflicting"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


# Display colour of each status on the schedule and in the admin (colour-blind safe palette).
STATUS_COLORS = {
    BookingStatus.PENDING: "#e69f00",
    BookingStatus.CONFLICTING: "#d55e00",
    BookingStatus.CONFIRMED: "#009e73",
    BookingStatus.REJECTED: "#999999",
    BookingStatus.CANCELLED: "#bbbbbb",
    BookingStatus.EXPIRED: "#cccccc",
}
