"""Paste a patch list: find the devices behind the port labels and put them in the cart."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.functions import Lower
from django.shortcuts import render

from inventory.models import Port
from scheduler.cart import Cart
from scheduler.forms import CartRangeForm, PatchListForm
from scheduler.patchlist import PatchListError, label_suggestions, labels_of, patch_list_parse


def patch_list_resolve(pairs: list[tuple[str, str]]) -> dict:
    """Match the labels of `pairs` to ports (any case); unknown labels get close-match suggestions."""
    labels = labels_of(pairs)
    ports = {
        p.name_lower: p
        for p in Port.objects.annotate(name_lower=Lower("name"))
        .filter(name_lower__in=[label.lower() for label in labels])
        .select_related("device", "device__device_type")
    }
    unknown = [label for label in labels if label.lower() not in ports]
    suggestions = {}
    if unknown:
        known = list(Port.objects.values_list("name", flat=True))
        suggestions = {label: label_suggestions(label, known) for label in unknown}
    devices = []
    for label in labels:
        port = ports.get(label.lower())
        if port and port.device not in devices:
            devices.append(port.device)
    rows = [(a, ports.get(a.lower()), b, ports.get(b.lower())) for a, b in pairs]
    return {"rows": rows, "unknown": unknown, "suggestions": suggestions, "devices": devices}


@login_required
def patch_list(request):
    """GET shows the box; POST parses, matches and, with "add", stores the pairs and picks the devices."""
    form = PatchListForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            pairs = patch_list_parse(form.cleaned_data["text"])
        except PatchListError as error:
            form.add_error("text", str(error))
        else:
            result = patch_list_resolve(pairs)
            if result["devices"]:
                cart = Cart(request.session)
                cart.set_patches([list(p) for p in pairs])
                request.session["cart_devices"] = [d.pk for d in result["devices"]]
                messages.success(
                    request,
                    f"{len(pairs)} cross-connect(s), {len(result['devices'])} device(s) picked for the cart"
                    + (f"; {len(result['unknown'])} unknown label(s)." if result["unknown"] else "."),
                )
            else:
                messages.error(request, "None of these port labels is known; check the suggestions below.")
    context = {
        "form": form,
        "result": result,
        "range_form": CartRangeForm(initial={"preset": "all_day"}),
        "nav": "patch",
    }
    return render(request, "scheduler/patch_list.html", context)

