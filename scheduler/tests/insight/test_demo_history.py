"""The demo lab's history gives the heatmap and the reports a real shape."""

from datetime import timedelta

import pytest
from django.db.models import Count

from core import clock
from inventory.services.demo import demo_lab_create, demo_users_ensure
from scheduler.models import Booking
from scheduler.selectors.insight.activity import approval_latency
from scheduler.selectors.insight.demand import demand_heatmap
from scheduler.services.demo import demo_bookings_create
from scheduler.services.demo_history import demo_history_create
from scheduler.tests.insight.lab import utc

pytestmark = pytest.mark.django_db


def test_demo_history_makes_weekday_days_busier_than_weekend_nights(groups):
    with clock.frozen(utc(10, 12)):
        demo_lab_create()
        demo_users_ensure()
        demo_bookings_create()
        created = demo_history_create()
        assert created > 1000 and demo_history_create() == 0  # once
        heat = demand_heatmap(weeks=12)
        latency = approval_latency(start=clock.now() - timedelta(days=120), end=clock.now(), now=clock.now())
    roadm = next(t for t in heat.types if t.device_type == "ROADM")
    assert roadm.cell(2, "morning").share > 3 * roadm.cell(6, "overnight").share > 0
    assert roadm.busiest.weekday in (1, 2, 3) and roadm.quietest.weekday in (5, 6)
    assert latency.decided > 500 and latency.median < latency.p90
    # Capacity holds everywhere: at most one history booking per device and slot.
    assert not Booking.objects.filter(group__message__startswith="[demo] history").values("device", "start").annotate(
        n=Count("id")).filter(n__gt=1).exists()
