"""The managers' reports in the admin (utilization, per user, approval latency, weekly counts) and the
CSV exports (each report table, the filtered booking list). Every export writes an audit event."""

import csv
from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from core import clock
from core.services.audit import audit_log
from inventory.models import DeviceType, Site
from scheduler.charts import bar_chart_svg
from scheduler.selectors.insight.activity import approval_latency, usage_per_user, weekly_counts
from scheduler.selectors.insight.utilization import utilization_report
from scheduler.validators import validate_lab_date

DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
MAX_PERIOD = timedelta(days=731)


class ReportForm(forms.Form):
    first_day = forms.DateField(label="From", widget=DATE_INPUT, validators=[validate_lab_date])
    last_day = forms.DateField(label="To (inclusive)", widget=DATE_INPUT, validators=[validate_lab_date])
    device_type = forms.ModelChoiceField(queryset=DeviceType.objects.all(), required=False, empty_label="All types")
    site = forms.ModelChoiceField(queryset=Site.objects.all(), required=False, empty_label="All sites")

    def clean(self):
        data = super().clean()
        if not self.errors:
            if data["last_day"] < data["first_day"]:
                raise forms.ValidationError("The last day must not be before the first.")
            if data["last_day"] - data["first_day"] > MAX_PERIOD:
                raise forms.ValidationError("Pick a period of at most two years.")
        return data


def period_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz)


def csv_export(request, *, name: str, header: list[str], rows: list[list], filters: dict, action: str) -> HttpResponse:
    """A CSV download, audited in its own transaction before it is sent."""
    with transaction.atomic():
        audit_log(actor=request.user, action=action, data={"export": name, "rows": len(rows), "filters": filters})
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{clock.now():%Y%m%d-%H%M%S}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _pct(value) -> str:
    return "" if value is None else f"{value * 100:.1f}"


def _usage_rows(rows, with_device: bool = False) -> list[list]:
    result = []
    for r in rows:
        head = [r.name, r.extra.get("device_type", ""), r.extra.get("site", ""), r.extra.get("capacity", "")] if with_device \
            else [r.name, r.devices]
        result.append(head + [f"{r.bookable_hours:g}", f"{r.confirmed_hours:g}", f"{r.pending_hours:g}",
                              _pct(r.utilization), _pct(r.pending_share)])
    return result


USAGE_TAIL = ["bookable hours", "confirmed hours", "pending hours", "utilization %", "pending %"]


@staff_member_required
def reports_view(request):
    if not request.user.has_perm("scheduler.view_reports"):
        raise PermissionDenied
    today = clock.now().astimezone(timezone.get_default_timezone()).date()
    initial = {"first_day": today - timedelta(days=28), "last_day": today - timedelta(days=1)}
    form = ReportForm(request.GET if "first_day" in request.GET else initial)
    context = {"form": form, "title": "Reports", "can_export": request.user.has_perm("scheduler.export_data")}
    if form.is_valid():
        data = form.cleaned_data
        start, end = period_bounds(data["first_day"], data["last_day"])
        usage = utilization_report(start=start, end=end, device_type=data["device_type"], site=data["site"])
        users = usage_per_user(start=start, end=end)
        latency = approval_latency(start=start, end=end, now=clock.now())
        weeks = weekly_counts(start=start, end=end)
        tables = {
            "types": (["device type", "devices", *USAGE_TAIL], _usage_rows(usage.types)),
            "sites": (["site", "devices", *USAGE_TAIL], _usage_rows(usage.sites)),
            "devices": (["device", "device type", "site", "capacity", *USAGE_TAIL], _usage_rows(usage.devices, True)),
            "users": (["user", "confirmed hours", "sessions", "cancellations"],
                      [[u.username, f"{u.hours:g}", u.sessions, u.cancellations] for u in users]),
            "weeks": (["week (Monday)", "conflicts", "rejections", "expiries", "cancellations"],
                      [[w.week.date().isoformat(), w.conflicts, w.rejections, w.expiries, w.cancellations] for w in weeks]),
            "latency": (["decided", "median hours", "p90 hours", f"decided after {_hours(latency.target)} h", "waiting now",
                         "waiting over target"],
                        [[latency.decided, _hours(latency.median), _hours(latency.p90), latency.decided_late,
                          latency.waiting_now, latency.waiting_over_target]]),
        }
        wanted = request.GET.get("csv")
        if wanted:
            if not context["can_export"]:
                raise PermissionDenied
            if wanted not in tables:
                return HttpResponse("Unknown report table.", status=400, content_type="text/plain")
            header, rows = tables[wanted]
            filters = {k: str(v.pk if hasattr(v, "pk") else v) for k, v in data.items() if v is not None}
            return csv_export(request, name=f"report-{wanted}", header=header, rows=rows, filters=filters,
                              action="scheduler.report.exported")
        context.update(usage=usage, users=users, latency=latency, weeks=weeks, tables=tables, query=request.GET.urlencode(),
                       type_chart=bar_chart_svg(
                           [(r.name, [round((r.utilization or 0) * 100, 1), round((r.pending_share or 0) * 100, 1)]) for r in usage.types],
                           series=["confirmed", "pending"], unit=" %", maximum=100,
                           title="Utilization per device type", desc="Share of bookable hours booked, confirmed then pending."),
                       week_chart=bar_chart_svg(
                           [(w.week.date().isoformat(), [w.conflicts, w.rejections, w.expiries]) for w in weeks],
                           series=["conflicts", "rejections", "expiries"],
                           title="Conflicts, rejections and expiries per week", desc="Counts per week starting Monday."))
    return TemplateResponse(request, "scheduler/admin/reports.html", {**_admin_context(request), **context})


def _hours(value: timedelta | None) -> str:
    return "" if value is None else f"{value.total_seconds() / 3600:.2f}"


def _admin_context(request) -> dict:
    from django.contrib import admin

    return admin.site.each_context(request)


BOOKING_HEADER = ["id", "session", "owner", "device", "device type", "site", "start", "end", "status", "decided by",
                  "decided at", "created at"]


def bookings_csv(request, queryset) -> HttpResponse:
    """The booking list as filtered in the admin, as CSV (times in the lab's zone, with offsets)."""
    rows = [[b.pk, b.group_id, b.group.owner.username, b.device.name, b.device.device_type.name,
             b.device.site.name if b.device.site else "", timezone.localtime(b.start).isoformat(),
             timezone.localtime(b.end).isoformat(), b.status, b.decided_by.username if b.decided_by else "",
             timezone.localtime(b.decided_at).isoformat() if b.decided_at else "", timezone.localtime(b.created_at).isoformat()]
            for b in queryset.select_related("group__owner", "device__device_type", "device__site", "decided_by")]
    filters = {k: v for k, v in request.GET.items() if k != "o"}
    return csv_export(request, name="bookings", header=BOOKING_HEADER, rows=rows, filters=filters,
                      action="scheduler.bookings.exported")
