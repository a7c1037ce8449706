"""The booking cart: review what was picked, see per item whether it is free, will be shared
(conflicting) or cannot be booked, add collaborators and a message, and submit one session."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import ApplicationError, RuleConflict
from inventory.models import Device
from scheduler.cart import Cart
from scheduler.forms import CartDetailsForm, CartRangeForm
from scheduler.selectors.insight.substitutes import HELPABLE_REASONS, AskedItem, refusal_help
from scheduler.services.booking import booking_request, booking_request_preview
from scheduler.views.common import back, error_text

SUGGESTION_LIMIT = 10


def cart_service_items(cart: Cart) -> tuple[list[dict], dict[int, Device]]:
    """The cart's items as the booking services take them (with Device objects), one query."""
    items = cart.items
    devices = Device.objects.select_related("device_type").in_bulk({i["device"] for i in items})
    service_items = [{"device": devices[i["device"]], "start": i["start"], "end": i["end"]} for i in items if i["device"] in devices]
    return service_items, devices


@login_required
def cart_page(request):
    cart = Cart(request.session)
    items, _ = cart_service_items(cart)
    checks = booking_request_preview(requester=request.user, items=items) if items else []
    helps = _refusal_help(items, checks)
    failures = cart.failures
    rows = []
    for index, item in enumerate(items):
        check = checks[index] if index < len(checks) else None
        reason = check.reason if check else ""
        failure = failures.get(index, "")
        # The submit's refusal usually repeats what the fresh check says; show a reason once.
        rows.append({"index": index, "item": item, "check": check, "reason": reason, "failed": bool(failure),
                     "failure": failure if failure != reason else "", "help": helps.get(index)})
    range_form = CartRangeForm(initial={"devices": request.session.get("cart_devices", []), "preset": "all_day"})
    details_form = CartDetailsForm(initial={"collaborators": cart.collaborators, "message": cart.message})
    context = {
        "rows": rows,
        "range_form": range_form,
        "details_form": details_form,
        "patches": cart.patches,
        # Right after a refused submit, the message above already says it.
        "any_refused": not failures and any(r["check"] and r["check"].outcome == "refused" for r in rows),
        "any_conflicting": any(r["check"] and r["check"].outcome == "conflicting" for r in rows),
        "nav": "cart",
    }
    return render(request, "scheduler/cart.html", context)


@login_required
@require_POST
def cart_add_range(request):
    """Devices × a date range × a slot preset (or custom hours) into the cart."""
    form = CartRangeForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label or 'Dates'}: {' '.join(errors)}".strip())
        return back(request, "cart")
    data = form.cleaned_data
    windows = data["windows"]  # instants (UTC); the form refused a wall-clock time the clocks skip
    cart = Cart(request.session)
    count = cart.add([(device.pk, start, end) for device in data["devices"] for start, end in windows])
    request.session.pop("cart_devices", None)
    messages.success(request, f"Added {len(data['devices'])} device(s) × {len(windows)} window(s); the cart holds {count} item(s).")
    return back(request, "cart")


def _refusal_help(items: list[dict], checks) -> dict:
    """Substitutes and the next free window for each refused item a different device or time can cure."""
    refused = [n for n, check in enumerate(checks) if check.outcome == "refused" and check.code in HELPABLE_REASONS]
    if not refused:
        return {}
    asked = [AskedItem(items[n]["device"].pk, items[n]["start"], items[n]["end"]) for n in refused]
    # Devices already in the cart for an overlapping window are not offered again.
    exclude = [{i["device"].pk for i in items if i["start"] < a.end and i["end"] > a.start} for a in asked]
    return dict(zip(refused, refusal_help(items=asked, exclude=exclude), strict=True))


@login_required
@require_POST
def cart_replace(request, index: int):
    """"Use this instead": swap a refused item's device for a suggested substitute (same window)."""
    try:
        device = Device.objects.get(pk=int(request.POST.get("device", "")))
    except (ValueError, Device.DoesNotExist):
        messages.error(request, "Pick one of the suggested devices.")
        return back(request, "cart")
    if Cart(request.session).replace_device(index, device.pk):
        messages.success(request, f"Item {index + 1} now uses {device.name}.")
    else:
        messages.error(request, "That cart item no longer exists.")
    return back(request, "cart")


@login_required
@require_POST
def cart_remove(request, index: int):
    Cart(request.session).remove(index)
    return back(request, "cart")


@login_required
@require_POST
def cart_clear(request):
    Cart(request.session).clear()
    request.session.pop("cart_devices", None)
    messages.success(request, "Cart emptied.")
    return back(request, "cart")


@login_required
@require_POST
def cart_submit(request):
    """One booking_request for the whole cart. On a refusal nothing is booked and the cart stays."""
    cart = Cart(request.session)
    form = CartDetailsForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the collaborators and the message.")
        return redirect("cart")
    cart.set_details(collaborators=form.cleaned_data["collaborators"], message=form.cleaned_data["message"])
    items, _ = cart_service_items(cart)
    if not items:
        messages.warning(request, "The cart is empty: tick cells on the schedule or add devices for dates.")
        return redirect("cart")
    try:
        group = booking_request(requester=request.user, items=items, collaborators=form.usernames(),
                                message=form.cleaned_data["message"])
    except RuleConflict as error:
        failures = {int(c["item"]): str(c.get("message") or c.get("reason", "")) for c in error.conflicts if c.get("item") is not None}
        cart.set_failures(failures)
        if failures:
            # Each reason is shown once, beside its item; the message up here only says where to look.
            count = len(failures)
            messages.error(request, f"Nothing was booked: {count} of {len(items)} item{'s' if len(items) != 1 else ''} "
                                    f"cannot be booked (reason beside {'each' if count > 1 else 'it'}). "
                                    "Remove or change them, then submit again.")
        else:
            messages.error(request, f"Nothing was booked. {error_text(error)}")
        return redirect("cart")
    except ApplicationError as error:
        messages.error(request, f"Nothing was booked. {error_text(error)}")
        return redirect("cart")
    cart.clear()
    statuses = sorted({b.status for b in group.bookings.all()})
    messages.success(request, f"Session {group.pk} requested ({len(items)} booking(s): {', '.join(statuses)}).")
    return redirect("my-bookings")


@login_required
@require_GET
def user_suggestions(request):
    """<option>s of usernames matching the last name being typed, for the collaborators datalist."""
    raw = request.GET.get("collaborators") or request.GET.get("q") or ""
    if "\x00" in raw:  # PostgreSQL cannot compare text holding NUL: refuse it instead of failing
        return HttpResponseBadRequest("Usernames cannot contain NUL characters.")
    typed = raw.replace(",", " ").split()
    term = typed[-1] if typed else ""
    users = get_user_model().objects.filter(is_active=True).exclude(pk=request.user.pk)
    if term:
        users = users.filter(username__icontains=term)
    names = list(users.order_by("username").values_list("username", flat=True)[:SUGGESTION_LIMIT])
    prefix = " ".join(typed[:-1])
    return TemplateResponse(request, "scheduler/_user_options.html", {"names": names, "prefix": f"{prefix}, " if prefix else ""})
