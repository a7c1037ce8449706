"""Bad input found by fuzzing (schemathesis, a page fuzzer): dates outside the calendar, ids beyond the id
range, NUL characters. Each is a 4xx naming the problem and changes nothing, never a 500."""

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


def test_cart_range_refuses_an_id_beyond_the_id_range(web, roadm):
    """A 20-digit device id overflowed SQLite's INTEGER inside the form's query (500); now a form error."""
    data = {"devices": ["99999999999999999999"], "first_day": "2026-12-02", "last_day": "2026-12-03", "preset": "all_day"}
    response = web.post(reverse("cart-add-range"), data, follow=True)
    assert response.status_code == 200
    assert "is not a valid value" in response.content.decode()
    assert Cart(web.session).items == []


@pytest.mark.parametrize("param", ["q", "collaborators"])
def test_user_suggestions_refuse_nul_characters(web, param):
    """A NUL character in the typed name made PostgreSQL fail the query (500); now a 400."""
    response = web.get(reverse("user-suggestions"), {param: "ab\x00c"})
    assert response.status_code == 400
