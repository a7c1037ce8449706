"""Power pages: the managers' overview of every PDU and outlet, and the confirmation step of a switch.

A switch is two requests: GET shows what will happen (the device, who holds it now, whether force is
needed) and a form; POST carries it out through the same service as the API, so the same rules apply.
Works without JavaScript.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.exceptions import ApplicationError, NotAllowed
from core.roles import is_lab_manager
from inventory.choices import PowerAction
from scheduler.selectors.power import outlets_queryset, power_overview
from scheduler.services.power import outlet_switch, outlet_switch_refusal


@login_required
def power_page(request):
    if not is_lab_manager(request.user):
        raise PermissionDenied("The power page is for lab managers.")
    return render(request, "scheduler/power.html", {"pdus": power_overview(user=request.user), "nav": "power"})


def _next_url(request, outlet) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return wanted
    return reverse("device", args=[outlet.device_id]) if outlet.device_id else reverse("power")


@login_required
def outlet_switch_page(request, pk: int):
    outlet = get_object_or_404(outlets_queryset(), pk=pk)
    action = request.POST.get("action") if request.method == "POST" else request.GET.get("action")
    next_url = _next_url(request, outlet)
    context = {"outlet": outlet, "next": next_url, "nav": "power" if is_lab_manager(request.user) else "schedule"}
    if action not in PowerAction.values:
        context["problem"] = "Choose one of: switch on, switch off, power-cycle."
        return render(request, "scheduler/power_confirm.html", context, status=400)
    label = PowerAction(action).label
    if request.method == "POST":
        try:
            result = outlet_switch(outlet=outlet, actor=request.user, action=action, force=request.POST.get("force") == "on")
        except ApplicationError as exc:
            messages.error(request, f"{label} {outlet}: {exc.message}")
        else:
            messages.success(request, f"{outlet}: {label.lower()} done; the PDU reads it {result.state} "
                                      f"(was {result.before}).")
        return redirect(next_url)
    refusal, others = outlet_switch_refusal(outlet=outlet, actor=request.user, action=action)
    manager = is_lab_manager(request.user)
    context |= {"action": action, "label": label, "others": others,
                "needs_force": bool(refusal) and manager and not isinstance(refusal, NotAllowed),
                "problem": refusal.message if refusal and not manager else ""}
    status = 403 if isinstance(refusal, NotAllowed) else 200
    return render(request, "scheduler/power_confirm.html", context, status=status)
