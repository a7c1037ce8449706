"""My bookings (sessions owned or shared with the member) and favorites, with their actions.

Every action looks the session up among those visible to the member (404 otherwise) and then
calls one booking service, which checks who may do what. A refusal (the service's message, or a
form that is not filled in) is shown beside the form that caused it, with the values typed kept:
the action stores them in the session for the page it redirects to (post/redirect/get).
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from core import clock
from core.exceptions import ApplicationError
from scheduler.cart import lab_zone
from scheduler.constants import ACTIVE_STATUSES
from scheduler.forms import CollaboratorsForm, ExtendForm, FavoriteForm, RebookForm
from scheduler.models import Booking, BookingGroup, Favorite
from scheduler.selectors.bookings import booking_group_ids_of, booking_groups_visible_to, bookings_visible_to
from scheduler.services.booking import (
    booking_cancel,
    booking_group_cancel,
    booking_group_extend,
    booking_group_rebook,
    booking_group_set_collaborators,
)
from scheduler.services.favorites import favorite_create, favorite_delete
from scheduler.topology.models import PortReservation
from scheduler.topology.wiring import WiredLink, wiring_python
from scheduler.views.common import back, error_text, flash_error

PAGE_SIZE = 20
FORM_STATE = "my_bookings_refusal"
OWNER_FORMS = {"cancel", "rebook", "collaborators"}


def session_status(bookings: list[Booking], now) -> str:
    """One word for a session: the state of its live bookings, else how it ended."""
    statuses = {b.status for b in bookings}
    live = [b for b in bookings if b.status in ACTIVE_STATUSES]
    if live:
        if all(b.end <= now for b in live):
            return "finished"
        live_statuses = {b.status for b in live}
        if live_statuses == {"confirmed"}:
            return "in progress" if any(b.start <= now < b.end for b in live) else "confirmed"
        if "conflicting" in live_statuses:
            return "conflicting"
        if "confirmed" in live_statuses:
            return "partly confirmed"
        return "pending"
    for final in ("rejected", "expired", "cancelled"):
        if statuses == {final}:
            return final
    return "closed"


def _my_groups(user):
    return (
        # Only the user's own and shared sessions (managers too, who could see all of them), by id: the
        # single-query "owner = X OR id IN (...)" form makes PostgreSQL scan every session.
        BookingGroup.objects.filter(pk__in=booking_group_ids_of(user=user))
        .select_related("owner")
        .prefetch_related(
            "collaborators",
            Prefetch("bookings", queryset=Booking.objects.select_related("device", "device__device_type").order_by("start", "id")),
            # The wiring of sessions booked from a topology: one pair of ports per link.
            Prefetch("port_reservations", to_attr="wired",
                     queryset=PortReservation.objects.filter(side="a").select_related("port", "peer", "switch").order_by("id")),
        )
        .order_by("-created_at", "-id")
    )


@login_required
def my_bookings(request):
    """Sessions owned or shared, newest first, 20 a page; by default only those still to come or running."""
    now = clock.now()
    show = "all" if request.GET.get("show") == "all" else "active"
    groups = _my_groups(request.user)
    if show == "active":
        live = Booking.objects.filter(status__in=ACTIVE_STATUSES, end__gt=now).values("group_id")
        groups = groups.filter(pk__in=live)
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    refusal = request.session.pop(FORM_STATE, None)
    sessions = []
    for group in page.object_list:
        bookings = list(group.bookings.all())
        session = {
            "group": group,
            "bookings": bookings,
            "status": session_status(bookings, now),
            "is_owner": group.owner_id == request.user.pk,
            "start": min((b.start for b in bookings), default=None),
            "end": max((b.end for b in bookings), default=None),
            "collaborators": ", ".join(u.username for u in group.collaborators.all()),
            "wiring": wiring_python([WiredLink(r.a_key, r.b_key, r.port, r.peer, r.switch, r.link_id, r.active)
                                     for r in group.wired]) if group.wired else "",
            "errors": {},
        }
        session["values"] = _form_defaults(session)
        if refusal and refusal["session"] == group.pk:
            if refusal["form"].startswith("cancel-"):  # one booking's cancel button, in its row
                session["booking_error"] = (int(refusal["form"].removeprefix("cancel-")), refusal["message"])
            elif refusal["form"] in OWNER_FORMS and not session["is_owner"]:
                session["notice"] = refusal["message"]  # a form this member doesn't get: under the title
            else:
                session["errors"] = {refusal["form"]: refusal["message"]}
                session["values"].update(refusal["values"])
            refusal = None
        sessions.append(session)
    if refusal:
        # The session is not on this page (finished, or on another page): say it up here.
        messages.error(request, refusal["message"])
    context = {
        "sessions": sessions,
        "page": page,
        "show": show,
        "active_statuses": ACTIVE_STATUSES,
        "here": request.get_full_path(),
        "nav": "bookings",
    }
    return render(request, "scheduler/my_bookings.html", context)


def _form_defaults(session: dict) -> dict:
    """What the action forms of a session start with: extend by a day, rebook a week later."""
    tz = lab_zone()
    start = session["start"].astimezone(tz) if session["start"] else None
    end = session["end"].astimezone(tz) if session["end"] else None
    return {
        "end_day": (end + timedelta(days=1)).date().isoformat() if end else "",
        "end_time": f"{end:%H:%M}" if end else "07:00",
        "start_day": (start + timedelta(days=7)).date().isoformat() if start else "",
        "start_time": f"{start:%H:%M}" if start else "07:00",
        "collaborators": session["collaborators"],
        "name": "",
    }


def _refused(request, group_pk: int, form: str, message: str):
    """Back to my bookings, with `message` beside `form` of the session and the values typed kept."""
    values = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "next")}
    request.session[FORM_STATE] = {"session": group_pk, "form": form, "message": message, "values": values}
    return back(request, "my-bookings", anchor=f"session-{group_pk}")


def _group_for(request, pk: int):
    return get_object_or_404(booking_groups_visible_to(user=request.user, single=True), pk=pk)


@login_required
@require_POST
def group_cancel(request, pk: int):
    group = _group_for(request, pk)
    try:
        cancelled = booking_group_cancel(group=group, actor=request.user)
    except ApplicationError as error:
        return _refused(request, group.pk, "cancel", error_text(error))
    else:
        messages.success(request, f"Session {group.pk}: {len(cancelled)} booking(s) cancelled.")
    return back(request, "my-bookings")


@login_required
@require_POST
def booking_cancel_view(request, pk: int):
    booking = get_object_or_404(bookings_visible_to(user=request.user, single=True), pk=pk)
    try:
        booking_cancel(booking=booking, actor=request.user)
    except ApplicationError as error:
        return _refused(request, booking.group_id, f"cancel-{booking.pk}", error_text(error))
    else:
        messages.success(request, f"Booking of {booking.device} cancelled.")
    return back(request, "my-bookings")


@login_required
@require_POST
def group_extend(request, pk: int):
    group = _group_for(request, pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _refused(request, group.pk, "extend", "Give the new end day and time.")
    try:
        booking_group_extend(group=group, actor=request.user, end=form.end())
    except ApplicationError as error:
        return _refused(request, group.pk, "extend", error_text(error))
    statuses = sorted(set(group.bookings.filter(end=form.end(), status__in=ACTIVE_STATUSES).values_list("status", flat=True)))
    note = {"confirmed": "confirmed", "pending": "pending: a lab manager decides",
            "conflicting": "conflicting: it overlaps another member's booking, a lab manager decides"}
    messages.success(request, f"Session {group.pk} extended to {form.end():%a %-d %b %H:%M} "
                              f"({'; '.join(note.get(s, s) for s in statuses)}).")
    return back(request, "my-bookings", anchor=f"session-{group.pk}")


@login_required
@require_POST
def group_rebook(request, pk: int):
    group = _group_for(request, pk)
    form = RebookForm(request.POST)
    if not form.is_valid():
        return _refused(request, group.pk, "rebook", "Give the new start day and time.")
    try:
        new_group = booking_group_rebook(group=group, actor=request.user, start=form.start())
    except ApplicationError as error:
        return _refused(request, group.pk, "rebook", error_text(error))
    else:
        messages.success(request, f"Session {group.pk} rebooked as session {new_group.pk} from {form.start():%a %-d %b %H:%M}.")
    return back(request, "my-bookings")


@login_required
@require_POST
def group_collaborators(request, pk: int):
    group = _group_for(request, pk)
    form = CollaboratorsForm(request.POST)
    if not form.is_valid():
        return _refused(request, group.pk, "collaborators", "Collaborators: usernames separated by commas (at most 500 characters).")
    try:
        booking_group_set_collaborators(group=group, actor=request.user, usernames=form.usernames())
    except ApplicationError as error:
        return _refused(request, group.pk, "collaborators", error_text(error))
    names = ", ".join(form.usernames())
    messages.success(request, f"Session {group.pk}: collaborators saved ({names or 'none'}).")
    return back(request, "my-bookings", anchor=f"session-{group.pk}")


@login_required
@require_POST
def group_favorite(request, pk: int):
    group = _group_for(request, pk)
    form = FavoriteForm(request.POST)
    if not form.is_valid():
        return _refused(request, group.pk, "favorite", "Give the favorite a name (at most 100 characters).")
    devices = sorted({b.device for b in group.bookings.select_related("device")}, key=lambda d: d.pk)
    try:
        favorite = favorite_create(owner=request.user, name=form.cleaned_data["name"], devices=devices)
    except ApplicationError as error:
        return _refused(request, group.pk, "favorite", error_text(error))
    else:
        messages.success(request, f"Saved “{favorite.name}” with {len(devices)} device(s) in your favorites.")
    return back(request, "my-bookings")


@login_required
def favorites(request):
    rows = Favorite.objects.filter(owner=request.user).prefetch_related("devices__device_type").order_by("name")
    return render(request, "scheduler/favorites.html", {"favorites": rows, "nav": "favorites"})


@login_required
@require_POST
def favorite_to_cart(request, pk: int):
    """Pick the favorite's devices in the cart's "devices for dates" form."""
    favorite = get_object_or_404(Favorite, pk=pk, owner=request.user)
    request.session["cart_devices"] = list(favorite.devices.values_list("pk", flat=True))
    messages.success(request, f"“{favorite.name}”: its devices are picked below; choose the dates and slot.")
    return back(request, "cart")


@login_required
@require_POST
def favorite_delete_view(request, pk: int):
    favorite = get_object_or_404(Favorite, pk=pk, owner=request.user)
    try:
        favorite_delete(favorite=favorite, actor=request.user)
    except ApplicationError as error:
        flash_error(request, error)
    else:
        messages.success(request, f"Favorite “{favorite.name}” deleted.")
    return back(request, "favorites")
