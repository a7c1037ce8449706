"""Sessions, bookings, maintenance windows, favorites and the booking policy."""

from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.fields import RangeOperators
from django.core.exceptions import ValidationError
from django.db import models, transaction

from core.constraints import PostgresExclusionConstraint, TsTzRange
from core.statements import Columns, read_one
from inventory.choices import PowerState
from inventory.models import Device, Outlet
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES


class BookingGroup(models.Model):
    """A session: one submission of one or more bookings, with its collaborators."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="booking_groups")
    collaborators = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="collaborating_groups")
    message = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "session"
        indexes = [models.Index(fields=["owner", "created_at"], name="scheduler_group_owner_idx")]

    def __str__(self):
        return f"Session {self.pk} of {self.owner}"


class Booking(models.Model):
    """One device held for one time window [start, end). Its status is always set by the services."""

    group = models.ForeignKey(BookingGroup, on_delete=models.CASCADE, related_name="bookings")
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="bookings")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(max_length=12, choices=BookingStatus.choices, default=BookingStatus.PENDING, editable=False)
    # Which of the device's `capacity` units an active booking holds (1..capacity); empty once it
    # leaves the active set. Set only by the booking services (services/booking/units.py).
    unit = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, max_length=1000)
    start_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    end_reminder_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start", "id"]
        permissions = [
            ("decide_booking", "Can approve and reject booking requests"),
            ("manage_lab", "Can cancel any booking, plan maintenance and run the lab (lab manager)"),
            ("view_reports", "Can see the usage reports"),
            ("export_data", "Can export bookings and reports as CSV"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="%(app_label)s_%(class)s_start_before_end"),
            models.CheckConstraint(
                condition=~models.Q(status__in=ACTIVE_STATUSES) | models.Q(unit__isnull=False, unit__gte=1),
                name="%(app_label)s_%(class)s_active_holds_unit",
            ),
            # The database's own guard against overbooking (PostgreSQL; nothing on SQLite): two
            # active bookings of one device that overlap never hold the same unit, so at most
            # `capacity` of them overlap at any instant as long as units stay within 1..capacity.
            PostgresExclusionConstraint(
                name="%(app_label)s_%(class)s_unit_exclusive",
                expressions=[("device", RangeOperators.EQUAL), ("unit", RangeOperators.EQUAL),
                             (TsTzRange("start", "end"), RangeOperators.OVERLAPS)],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                violation_error_message="Two active bookings of this device would hold the same unit at the same time.",
            ),
        ]
        indexes = [
            models.Index(fields=["device", "start", "end"], name="scheduler_booking_window_idx"),
            models.Index(fields=["start", "end"], name="scheduler_booking_time_idx"),
            models.Index(fields=["status", "end"], name="scheduler_booking_status_idx"),
            models.Index(fields=["group", "start"], name="scheduler_booking_group_idx"),
        ]

    def __str__(self):
        return f"{self.device} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M} ({self.status})"


class MaintenanceWindow(models.Model):
    """A period during which a device cannot be booked."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="maintenance_windows")
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="%(app_label)s_%(class)s_start_before_end"),
        ]
        indexes = [models.Index(fields=["device", "start", "end"], name="scheduler_maint_window_idx")]

    def __str__(self):
        return f"{self.device} maintenance {self.start:%Y-%m-%d %H:%M}–{self.end:%Y-%m-%d %H:%M}"


class Favorite(models.Model):
    """A saved set of devices that a member books again and again."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="favorites")
    name = models.CharField(max_length=100)
    devices = models.ManyToManyField(Device, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="%(app_label)s_%(class)s_unique_owner_name",
                violation_error_message="You already have a favorite with this name.",
            ),
        ]

    def __str__(self):
        return self.name


class BookingPolicy(models.Model):
    """The lab's booking rules; one row, edited in the admin."""

    slot_minutes = models.PositiveSmallIntegerField(default=30, help_text="Bookings start and end on this grid.")
    max_duration = models.DurationField(default=timedelta(days=21))
    horizon = models.DurationField(default=timedelta(days=180), help_text="How far ahead a booking may start.")
    max_active_bookings_per_user = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: no limit.")
    past_grace = models.DurationField(default=timedelta(minutes=5), help_text="How far in the past a start may lie.")
    reminder_before_start = models.DurationField(default=timedelta(hours=1))
    reminder_before_end = models.DurationField(default=timedelta(hours=1))
    approval_target = models.DurationField(
        default=timedelta(hours=24), help_text="How long a request should wait at most for a decision (reports).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "booking policy"
        verbose_name_plural = "booking policy"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="%(app_label)s_%(class)s_single_row"),
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=1), name="%(app_label)s_%(class)s_slot_positive"),
        ]

    def __str__(self):
        return "Booking policy"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    # Sane ranges: outside them the lab's rules break (a horizon reaching past the year 9999 made every
    # booking POST and next-slot query a 500). (lowest, highest, unit shown in the message)
    BOUNDS = {
        "max_duration": (timedelta(minutes=1), timedelta(days=366), "more than zero and at most 366 days"),
        "horizon": (timedelta(minutes=1), timedelta(days=1096), "more than zero and at most 3 years (1096 days)"),
        "past_grace": (timedelta(0), timedelta(days=1), "between zero and one day"),
        "reminder_before_start": (timedelta(0), timedelta(days=7), "between zero and 7 days"),
        "reminder_before_end": (timedelta(0), timedelta(days=7), "between zero and 7 days"),
        "approval_target": (timedelta(minutes=1), timedelta(days=90), "more than zero and at most 90 days"),
    }
    MAX_ACTIVE_BOOKINGS_LIMIT = 10_000

    def clean(self):
        """Refuse values that would turn every request down, break the grid or overflow the calendar."""
        errors = {}
        if self.slot_minutes is not None and not 1 <= self.slot_minutes <= 24 * 60:
            errors["slot_minutes"] = "A slot lasts from 1 minute to a day (1440 minutes)."
        for name, (low, high, wording) in self.BOUNDS.items():
            value = getattr(self, name)
            if value is not None and not low <= value <= high:
                errors[name] = f"Must be {wording}."
        limit = self.max_active_bookings_per_user
        if limit is not None and not 1 <= limit <= self.MAX_ACTIVE_BOOKINGS_LIMIT:
            errors["max_active_bookings_per_user"] = (
                f"Give a number from 1 to {self.MAX_ACTIVE_BOOKINGS_LIMIT}, or leave it empty for no limit."
            )
        if errors:
            raise ValidationError(errors)

    @classmethod
    def load(cls) -> "BookingPolicy":
        """The policy row, created with the defaults on first use.

        Every booking change reads it: the read is written once as SQL (core.statements), the ORM's
        get_or_create only runs when the row is missing."""
        found = read_one(_POLICY, "id", 1, transaction.get_connection())
        if found is not None:
            return found
        policy, _ = cls.objects.get_or_create(pk=1)
        return policy


_POLICY = Columns(BookingPolicy, "p")


class PowerPlan(models.Model):
    """What the schedule last decided for an outlet in booking mode, and whether the PDU has done it.

    The worker switches an outlet only when this decision changes (or has not been carried out yet),
    so a holder who switches their device off by hand is not overruled on the next pass.
    """

    outlet = models.OneToOneField(Outlet, on_delete=models.CASCADE, primary_key=True, related_name="power_plan")
    wanted = models.CharField(max_length=7, choices=PowerState.choices)
    booking = models.ForeignKey(Booking, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                help_text="The booking that asked for power (for 'on').")
    decided_at = models.DateTimeField()
    done_at = models.DateTimeField(null=True, blank=True, help_text="When the PDU confirmed the state; empty: still to do.")

    class Meta:
        ordering = ["outlet"]
        verbose_name = "power plan"

    def __str__(self):
        return f"{self.outlet}: {self.wanted}" + ("" if self.done_at else " (to do)")


# Topology models live in their own module; importing them here registers them with the app.
from scheduler.topology.models import PortReservation, Topology  # noqa: E402, F401
