from django.db import models


class BookingStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFLICTING = "conflicting", "Conflicting"
    CONFIRMED = "confirmed", "Confirmed"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


# Display colour of each status (colour-blind safe palette). The pages and the admin draw them from
# CSS classes "s-<status>" (scheduler/static/scheduler/site.css and admin.css) with these values.
STATUS_COLORS = {
    BookingStatus.PENDING: "#e69f00",
    BookingStatus.CONFLICTING: "#d55e00",
    BookingStatus.CONFIRMED: "#009e73",
    BookingStatus.REJECTED: "#999999",
    BookingStatus.CANCELLED: "#bbbbbb",
    BookingStatus.EXPIRED: "#cccccc",
}
