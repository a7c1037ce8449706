"""The week schedule: devices grouped by type × days split into the lab's three slots.

The grid comes from one call to `schedule_for` (a constant number of queries for any number of
devices); cells are rendered here in Python because a week of ~200 devices is 4,200 cells and the
template engine would spend most of the request on them.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape as esc
from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core import clock
from inventory.models import Device
from scheduler.cart import SLOTS, SLOTS_BY_KEY, Cart, lab_zone
from scheduler.choices import BookingStatus
from scheduler.forms import ScheduleFilterForm
from scheduler.models import BookingGroup
from scheduler.selectors.schedule import schedule_for
from scheduler.validators import EARLIEST_DAY, LATEST_DAY
from scheduler.views.common import back

DAYS = 7
# On a cell holding several bookings, the colour shown is that of the most settled one.
STATUS_RANK = {BookingStatus.CONFIRMED: 3, BookingStatus.CONFLICTING: 2, BookingStatus.PENDING: 1}


@dataclass
class Column:
    day: date
    slot_key: str
    label: str
    start: datetime
    end: datetime
    is_today: bool
    is_day_start: bool


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def columns_for(monday: date, today: date) -> list[Column]:
    tz = lab_zone()
    columns = []
    for offset in range(DAYS):
        day = monday + timedelta(days=offset)
        for index, slot in enumerate(SLOTS):
            start, end = slot.window(day, tz)
            columns.append(Column(day, slot.key, slot.label, start, end, day == today, index == 0))
    return columns


def _depth(spans: list[tuple[datetime, datetime]]) -> int:
    """Most spans overlapping at one instant (half-open)."""
    events = sorted([(s, 1) for s, _ in spans] + [(e, -1) for _, e in spans], key=lambda x: (x[0], x[1]))
    depth = best = 0
    for _, change in events:
        depth += change
        best = max(best, depth)
    return best


def _cell_html(*, entry, column: Column, index: int, now: datetime, user_id: int, shared_groups: set[int], bookable: bool,
               in_cart: list[tuple[datetime, datetime]]) -> str:
    """One grid cell. Kept terse: a week of ~200 devices is 4,200 of them.

    Day borders come from CSS (nth-child) and today's shading from the table's <col>. A screen reader
    hears device, time and state: a free cell's checkbox is named by its row and column headers and
    the grid's "free" (aria-labelledby "d<device> k<column> cell-free"); a cell with more to say
    carries its own text, e.g. "ROADM 4, Tue 8 Dec 07–12, 1 of 2 held, in your cart, ana (pending)".
    """
    device = entry.device
    held = [b for b in entry.bookings if b.start < column.end and b.end > column.start]
    maint = [m for m in entry.maintenance if m.start < column.end and m.end > column.start]
    classes = []
    if column.end <= now:
        classes.append("past")
    title = [f"{device.name}, {column.day:%a %-d %b} {column.label}"]
    depth = _depth([(max(b.start, column.start), min(b.end, column.end)) for b in held]) if held else 0
    if held:
        title.append(f"{depth} of {entry.capacity} held")
    mine = any(b.owner_id == user_id or b.group_id in shared_groups for b in held)
    if mine:
        classes.append("mine")
        title.append("your booking")
    full = depth >= entry.capacity
    if full:
        classes.append("full")
    if any(start < column.end and end > column.start for start, end in in_cart):
        classes.append("in-cart")
        title.append("in your cart")
    if maint:
        classes.append("maint")
        title.append("maintenance" + (f": {maint[0].reason}" if maint[0].reason else ""))
    parts = ""
    if held:
        top = max(held, key=lambda b: STATUS_RANK.get(b.status, 0))
        names = esc(", ".join(sorted({b.owner_username for b in held})))
        parts = (f'<span class="bar s-{esc(top.status)}"></span>'
                 f'<span class="holders">{names}</span><span class="cap">{depth}/{entry.capacity}</span>')
        title.append(", ".join(f"{b.owner_username} ({b.status})" for b in held))
    td = f'<td class="{" ".join(classes)}">' if classes else "<td>"
    # A slot already under way can't be picked: its start would lie in the past.
    selectable = bookable and column.start >= now and not maint and not full and not mine
    # Plain f-strings with html.escape: format_html on 4,200 cells was most of the page's time.
    if selectable:
        value = f"{device.pk}|{column.day.isoformat()}|{column.slot_key}"
        if len(title) > 1 or parts:
            text = esc(", ".join(title))
            return (f'{td}<label title="{text}"><input type="checkbox" name="cell" value="{value}" aria-label="{text}">'
                    f"{parts}</label></td>")
        return (f'{td}<label><input type="checkbox" name="cell" value="{value}" '
                f'aria-labelledby="d{device.pk} k{index} cell-free"></label></td>')
    if len(title) > 1 or parts:
        text = esc(", ".join(title))
        return f'{td}<div title="{text}"><span class="visually-hidden">{text}</span><span aria-hidden="true">{parts}</span></div></td>'
    return f"{td}</td>"


def _rows(schedule, columns, *, now, user_id, shared_groups, cart_items):
    """[(type name, [(device, capacity, bookable, cells html)])] in schedule order."""
    in_cart: dict[int, list[tuple[datetime, datetime]]] = {}
    for item in cart_items:
        in_cart.setdefault(item["device"], []).append((item["start"], item["end"]))
    groups = []
    for type_name, entries in groupby(schedule.devices, key=lambda e: e.device.device_type.name):
        rows = []
        for entry in entries:
            bookable = entry.device.is_bookable
            cells = "".join(
                _cell_html(entry=entry, column=c, index=i, now=now, user_id=user_id, shared_groups=shared_groups,
                           bookable=bookable, in_cart=in_cart.get(entry.device.pk, []))
                for i, c in enumerate(columns)
            )
            rows.append((entry.device, entry.capacity, bookable, mark_safe(cells)))
        groups.append((type_name, rows))
    return groups


@login_required
def week_schedule(request):
    """The grid for one week (Monday to Sunday), filtered and searched; htmx gets just the grid."""
    now = clock.now()
    today = now.astimezone(lab_zone()).date()
    form = ScheduleFilterForm(request.GET or None, initial={"week": week_monday(today)})
    filters = form.cleaned_data if form.is_valid() else {}
    monday = week_monday(filters.get("week") or today)
    columns = columns_for(monday, today)
    # One day more than the week: the Sunday overnight slot ends on Monday morning.
    schedule = schedule_for(
        start=monday, days=DAYS + 1, device_type=filters.get("device_type"), site=filters.get("site"),
        tag=filters.get("tag"), q=filters.get("q") or "",
    )
    shared_groups = set(
        BookingGroup.objects.filter(collaborators=request.user).values_list("id", flat=True)
    )
    groups = _rows(schedule, columns, now=now, user_id=request.user.pk, shared_groups=shared_groups,
                   cart_items=Cart(request.session).items)
    kept = {k: v for k, v in request.GET.items() if k != "week" and v}

    def week_url(day: date) -> str:
        return reverse("schedule") + "?" + urlencode({**kept, "week": day.isoformat()})

    context = {
        "form": form,
        "monday": monday,
        "sunday": monday + timedelta(days=DAYS - 1),
        "days": [monday + timedelta(days=n) for n in range(DAYS)],
        "today": today,
        "columns": columns,
        "slots": SLOTS,
        "groups": groups,
        "device_count": len(schedule.devices),
        "prev_url": week_url(monday - timedelta(days=7)),
        "next_url": week_url(monday + timedelta(days=7)),
        "this_week_url": week_url(today),
        "legend": [(s, BookingStatus(s).label) for s in STATUS_RANK],
        "next": request.get_full_path(),
        "nav": "schedule",
    }
    template = "scheduler/_week_grid.html" if request.htmx and not request.htmx.boosted else "scheduler/schedule.html"
    return render(request, template, context)


def parse_cells(values: list[str]) -> list[tuple[int, date, str]]:
    """'device|YYYY-MM-DD|slot' → (device id, day, slot key); malformed values and days outside the
    scheduler's calendar are dropped."""
    cells = []
    for value in values:
        try:
            device_id, day, slot_key = value.split("|")
            cells.append((int(device_id), date.fromisoformat(day), slot_key))
        except ValueError:
            continue
        if not EARLIEST_DAY <= cells[-1][1] <= LATEST_DAY:
            cells.pop()
    return [c for c in cells if c[2] in SLOTS_BY_KEY]


@login_required
@require_POST
def cart_add_cells(request):
    """Add the ticked grid cells to the cart; the rules are checked when the cart is previewed."""
    cells = parse_cells(request.POST.getlist("cell"))
    known = set(Device.objects.filter(pk__in={c[0] for c in cells}).values_list("pk", flat=True))
    tz = lab_zone()
    windows = [(d, *SLOTS_BY_KEY[s].window(day, tz)) for d, day, s in cells if d in known]
    cart = Cart(request.session)
    count = cart.add(windows) if windows else len(cart)
    text = f"Added {len(windows)} slot(s); the cart holds {count} item(s)." if windows else "Tick some free cells first."
    if request.htmx:
        response = HttpResponse(
            format_html('<p class="message message-{}" role="status">{} <a href="{}">Review the cart</a></p>',
                        "success" if windows else "warning", text, reverse("cart"))
        )
        response["HX-Trigger"] = json.dumps({"cartChanged": {"count": count}})
        return response
    (messages.success if windows else messages.warning)(request, text)
    return back(request, "schedule")

