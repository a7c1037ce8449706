"""manage.py expire_bookings."""

from io import StringIO

import pytest
from django.core.management import call_command

from scheduler.choices import BookingStatus as S
from scheduler.tests.conftest import at
from scheduler.tests.factories import BookingFactory

pytestmark = pytest.mark.usefixtures("now")


def test_expire_bookings(db):
    """The command expires due undecided requests; --dry-run changes nothing."""
    due = BookingFactory(start=at(6, day=1), end=at(8, day=1), status=S.PENDING)
    future = BookingFactory(start=at(10), end=at(12), status=S.PENDING)
    out = StringIO()
    call_command("expire_bookings", "--dry-run", stdout=out)
    assert out.getvalue().strip() == "Would expire 1 request."
    due.refresh_from_db()
    assert due.status == S.PENDING
    out = StringIO()
    call_command("expire_bookings", stdout=out)
    assert out.getvalue().strip() == "Expired 1 request."
    due.refresh_from_db()
    future.refresh_from_db()
    assert (due.status, future.status) == (S.EXPIRED, S.PENDING)
