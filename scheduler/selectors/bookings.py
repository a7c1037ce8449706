"""Who sees which sessions and bookings, and the admin dashboard's numbers."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from core import clock
from core.roles import can_decide_requests
from inventory.choices import DeviceStatus
from inventory.models import Device
from scheduler.choices import BookingStatus
from scheduler.constants import ACTIVE_STATUSES
from scheduler.models import Booking, BookingGroup, MaintenanceWindow

# Above this many sessions the ids go to the database as a subquery instead of a literal list
# (SQLite caps the number of parameters of one statement).
MAX_LITERAL_GROUP_IDS = 5000


def booking_group_ids_of(*, user) -> list[int] | QuerySet:
    """Ids of the sessions the user owns or collaborates on (two small indexed queries).

    Filtering bookings by `group_id IN (<these ids>)` lets the database use the group index; the
    single-query form (`owner = X OR id IN (collaborations)`) makes PostgreSQL scan every booking.
    """
    through = BookingGroup.collaborators.through
    own = BookingGroup.objects.filter(owner_id=user.pk).order_by().values_list("pk", flat=True)
    shared = through.objects.filter(user_id=user.pk).order_by().values_list("bookinggroup_id", flat=True)
    ids = set(own[: MAX_LITERAL_GROUP_IDS + 1])
    ids.update(shared[: MAX_LITERAL_GROUP_IDS + 1])
    if len(ids) > MAX_LITERAL_GROUP_IDS:
        return BookingGroup.objects.filter(Q(owner_id=user.pk) | Q(pk__in=shared)).order_by().values("pk")
    return sorted(ids)


def _session_of_row_visible(*, user, owner: str, session_id: str) -> Q:
    """The row's session is owned by `user` (field `owner`) or has them as a collaborator (an EXISTS on
    the collaborators of the session whose id is the row's field `session_id`)."""
    through = BookingGroup.collaborators.through
    return Q(**{owner: user.pk}) | Q(Exists(through.objects.filter(bookinggroup_id=OuterRef(session_id), user_id=user.pk)))


def booking_groups_visible_to(*, user, single: bool = False) -> QuerySet[BookingGroup]:
    """Sessions the user owns or collaborates on; every session for lab managers; none for anonymous.

    `single=True` is for looking one session up by id: whether that row is visible is then a condition
    on it, instead of first listing every visible session (thousands for a long-time member).
    """
    if not (user and user.is_authenticated):
        return BookingGroup.objects.none()
    if can_decide_requests(user):
        return BookingGroup.objects.all()
    if single:
        return BookingGroup.objects.filter(_session_of_row_visible(user=user, owner="owner_id", session_id="pk"))
    return BookingGroup.objects.filter(pk__in=booking_group_ids_of(user=user))


def bookings_visible_to(*, user, single: bool = False) -> QuerySet[Booking]:
    """Bookings of the sessions the user may see (see booking_groups_visible_to, also for `single`)."""
    if not (user and user.is_authenticated):
        return Booking.objects.none()
    if can_decide_requests(user):
        return Booking.objects.all()
    if single:
        return Booking.objects.filter(_session_of_row_visible(user=user, owner="group__owner_id", session_id="group_id"))
    return Booking.objects.filter(group_id__in=booking_group_ids_of(user=user))


@dataclass
class AdminDashboard:
    pending: list[Booking]
    pending_count: int
    conflicting: list[Booking]
    conflicting_count: int
    under_maintenance: list[Device]
    today: list[Booking]
    today_count: int
    stranded: list[Booking]
    stranded_count: int


def admin_dashboard(*, now: datetime | None = None, limit: int = 10) -> AdminDashboard:
    """Pending requests, conflicts, devices under maintenance (by status or a current window), today's bookings,
    and confirmed bookings still to come on devices that can no longer be booked (retired, unavailable, ...),
    which a manager must move or cancel by hand."""
    now = now or clock.now()
    local = timezone.localtime(now)
    day_start = timezone.make_aware(datetime.combine(local.date(), time.min))
    day_end = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time.min))
    base = Booking.objects.select_related("device__device_type", "group__owner")
    pending = base.filter(status=BookingStatus.PENDING, end__gt=now).order_by("start")
    conflicting = base.filter(status=BookingStatus.CONFLICTING, end__gt=now).order_by("start")
    today = base.filter(status__in=ACTIVE_STATUSES, start__lt=day_end, end__gt=day_start).order_by("start")
    in_window = MaintenanceWindow.objects.filter(start__lte=now, end__gt=now).values("device_id")
    maintenance = (
        Device.objects.select_related("device_type")
        .filter(Q(status=DeviceStatus.MAINTENANCE) | Q(pk__in=in_window))
        .order_by("name")
    )
    stranded = base.filter(status=BookingStatus.CONFIRMED, end__gt=now).filter(
        ~Q(device__status=DeviceStatus.AVAILABLE) | Q(device__device_type__is_schedulable=False)
    ).order_by("start")
    return AdminDashboard(
        pending=list(pending[:limit]),
        pending_count=pending.count(),
        conflicting=list(conflicting[:limit]),
        conflicting_count=conflicting.count(),
        under_maintenance=list(maintenance[:limit * 3]),
        today=list(today[:limit * 3]),
        today_count=today.count(),
        stranded=list(stranded[:limit]),
        stranded_count=stranded.count(),
    )
