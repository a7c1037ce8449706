"""Pages given days far outside the scheduler's calendar answer normally, never a 500."""

import pytest
from django.urls import reverse

from scheduler.cart import Cart

pytestmark = pytest.mark.usefixtures("now")


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_week_page_ignores_an_out_of_range_week(web, roadm, week):
    """?week=9999-12-31 overflowed building the next-week link (500); now the form refuses it and today's week shows."""
    response = web.get(reverse("schedule"), {"week": week})
    assert response.status_code == 200
    assert "week=2026-11-23" in response.content.decode()  # the previous-week link of today's week


def test_cart_drops_cells_outside_the_calendar(web, roadm):
    """A forged overnight cell on 9999-12-31 overflowed computing its end (500); now it is dropped."""
    response = web.post(reverse("cart-add-cells"), {"cell": [f"{roadm.pk}|9999-12-31|overnight", f"{roadm.pk}|0001-01-01|day"]})
    assert response.status_code in (200, 302)
    assert Cart(web.session).items == []


@pytest.mark.parametrize("field,value", [("first_day", "9999-12-31"), ("last_day", "0001-01-01")])
def test_cart_range_form_refuses_out_of_range_days(web, roadm, field, value):
    """The range form names the allowed dates instead of failing."""
    data = {"devices": [roadm.pk], "first_day": "2026-12-02", "last_day": "2026-12-03", "preset": "all_day", field: value}
    response = web.post(reverse("cart-add-range"), data, follow=True)
    assert response.status_code == 200
    assert "Pick a date between 2000-01-01 and 2099-12-31." in response.content.decode()
    assert Cart(web.session).items == []
