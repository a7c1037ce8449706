"""Who used the lab and how requests were handled: per user, approval latency, weekly counts, dashboard cards.

All counts, sums and the latency percentiles are computed by the database (the percentiles by
ordering on the latency and reading one row at an offset), so the query count is fixed.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Greatest, Least, TruncWeek

from core.models import AuditEvent, Notification
from inventory.choices import DeviceStatus
from inventory.models import Device
from scheduler.choices import BookingStatus as S
from scheduler.constants import UNDECIDED_STATUSES
from scheduler.models import Booking, MaintenanceWindow
from scheduler.selectors.availability import policy_read


@dataclass
class UserUsage:
    username: str
    hours: float
    sessions: int
    cancellations: int


def usage_per_user(*, start: datetime, end: datetime) -> list[UserUsage]:
    """Per owner, bookings overlapping [start, end): confirmed hours inside it, sessions with an active or
    confirmed booking, cancelled bookings. One query."""
    inside = ExpressionWrapper(Least(F("end"), Value(end, output_field=DateTimeField()))
                               - Greatest(F("start"), Value(start, output_field=DateTimeField())), output_field=DurationField())
    rows = (Booking.objects.filter(start__lt=end, end__gt=start).values("group__owner__username")
            .annotate(hours=Sum(inside, filter=Q(status=S.CONFIRMED)),
                      sessions=Count("group", distinct=True, filter=Q(status__in=(S.CONFIRMED, *UNDECIDED_STATUSES))),
                      cancellations=Count("id", filter=Q(status=S.CANCELLED)))
            .order_by("group__owner__username"))
    return [UserUsage(r["group__owner__username"], round((r["hours"] or timedelta()).total_seconds() / 3600, 2),
                      r["sessions"], r["cancellations"]) for r in rows]


@dataclass
class ApprovalLatency:
    decided: int
    median: timedelta | None
    p90: timedelta | None
    decided_late: int
    waiting_now: int
    waiting_over_target: int
    target: timedelta


def _latency_at(queryset, index: int) -> timedelta:
    return queryset.values_list("latency", flat=True)[index]


def approval_latency(*, start: datetime, end: datetime, now: datetime) -> ApprovalLatency:
    """Requests decided by a manager in [start, end): how long they waited (median, p90 by nearest rank,
    how many longer than the policy's target), and the requests waiting now and over the target."""
    target = policy_read().approval_target
    latency = ExpressionWrapper(F("decided_at") - F("created_at"), output_field=DurationField())
    decided = (Booking.objects.filter(decided_at__gte=start, decided_at__lt=end, decided_by__isnull=False)
               .annotate(latency=latency))
    counts = decided.aggregate(n=Count("id"), late=Count("id", filter=Q(latency__gt=target)))
    n = counts["n"]
    ordered = decided.order_by("latency", "id")
    median = p90 = None
    if n:
        middle = _latency_at(ordered, (n - 1) // 2)
        median = middle if n % 2 else (middle + _latency_at(ordered, n // 2)) / 2
        p90 = _latency_at(ordered, ceil(0.9 * n) - 1)
    waiting = Booking.objects.filter(status__in=UNDECIDED_STATUSES, end__gt=now).aggregate(
        now=Count("id"), over=Count("id", filter=Q(created_at__lt=now - target)))
    return ApprovalLatency(n, median, p90, counts["late"], waiting["now"], waiting["over"], target)


@dataclass
class WeekCounts:
    week: datetime
    conflicts: int = 0
    rejections: int = 0
    expiries: int = 0
    cancellations: int = 0


def weekly_counts(*, start: datetime, end: datetime) -> list[WeekCounts]:
    """Per week (Monday, lab time): requests that became conflicting (audit log), rejections (by decision
    time), expiries (by the request's end) and cancellations (by the change). Four queries."""
    weeks: dict[datetime, WeekCounts] = {}

    def add(rows, field_name):
        for week, n in rows:
            entry = weeks.get(week) or weeks.setdefault(week, WeekCounts(week))
            setattr(entry, field_name, n)

    conflicted = (AuditEvent.objects.filter(created_at__gte=start, created_at__lt=end, target_type="scheduler.booking")
                  .filter(Q(action="scheduler.booking.requested", data__status=S.CONFLICTING)
                          | Q(action="scheduler.booking.reevaluated", data__to=S.CONFLICTING)))
    add(conflicted.annotate(w=TruncWeek("created_at")).values("w").annotate(n=Count("id")).values_list("w", "n"), "conflicts")
    for status, field, name in ((S.REJECTED, "decided_at", "rejections"), (S.EXPIRED, "end", "expiries"),
                                (S.CANCELLED, "updated_at", "cancellations")):
        rows = (Booking.objects.filter(status=status, **{f"{field}__gte": start, f"{field}__lt": end})
                .annotate(w=TruncWeek(field)).values("w").annotate(n=Count("id")).values_list("w", "n"))
        add(rows, name)
    return sorted(weeks.values(), key=lambda w: w.week)


@dataclass
class Card:
    key: str
    label: str
    value: float
    previous: float
    unit: str = ""

    @property
    def change(self) -> float:
        return self.value - self.previous

    @property
    def change_text(self) -> str:
        if self.change == 0:
            return "same as a week ago"
        sign = "+" if self.change > 0 else "−"
        return f"{sign}{abs(self.change):g}{self.unit} on a week ago"


def _undecided_at(moment: datetime) -> Q:
    """Requests undecided at `moment`, read back from their timestamps (a cancel or expiry is dated by
    the row's last change)."""
    return (Q(created_at__lte=moment, end__gt=moment)
            & (Q(decided_at__isnull=True) | Q(decided_at__gt=moment))
            & ~Q(status__in=(S.CANCELLED, S.EXPIRED), updated_at__lte=moment))


def dashboard_cards(*, now: datetime, week_start: datetime) -> list[Card]:
    """The admin index cards, each with the figure a week earlier."""
    from scheduler.selectors.insight.utilization import utilization_report

    target = policy_read().approval_target
    before = now - timedelta(days=7)
    pending = Booking.objects.aggregate(
        now=Count("id", filter=_undecided_at(now)), then=Count("id", filter=_undecided_at(before)),
        late_now=Count("id", filter=_undecided_at(now) & Q(created_at__lt=now - target)),
        late_then=Count("id", filter=_undecided_at(before) & Q(created_at__lt=before - target)))
    this_week = utilization_report(start=week_start, end=week_start + timedelta(days=7)).total
    last_week = utilization_report(start=week_start - timedelta(days=7), end=week_start).total
    in_window = MaintenanceWindow.objects.filter(start__lte=now, end__gt=now).values("device_id")
    was_in_window = MaintenanceWindow.objects.filter(start__lte=before, end__gt=before).values("device_id")
    maintenance = Device.objects.aggregate(
        now=Count("id", filter=Q(status=DeviceStatus.MAINTENANCE) | Q(pk__in=in_window)),
        then=Count("id", filter=Q(pk__in=was_in_window)))
    failed = Notification.objects.filter(status="failed").aggregate(
        now=Count("id", filter=Q(created_at__gt=before)), then=Count("id", filter=Q(created_at__gt=before - timedelta(days=7),
                                                                                       created_at__lte=before)))
    return [
        Card("pending", "Pending approvals", pending["now"], pending["then"]),
        Card("over_target", f"Waiting over {int(target.total_seconds() // 3600)} h", pending["late_now"], pending["late_then"]),
        Card("utilization", "Utilization this week", round((this_week.utilization or 0) * 100),
             round((last_week.utilization or 0) * 100), " pts"),
        Card("maintenance", "Devices in maintenance", maintenance["now"], maintenance["then"]),
        Card("failed_notifications", "Failed notifications (7 days)", failed["now"], failed["then"]),
    ]
