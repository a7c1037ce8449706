"""Who sees which bookings: owner and collaborators by session ids, managers everything."""

import pytest

from core.tests.factories import UserFactory
from scheduler.selectors import bookings as selectors
from scheduler.selectors.bookings import booking_groups_visible_to, bookings_visible_to
from scheduler.tests.factories import BookingFactory, BookingGroupFactory


@pytest.fixture
def world(member, other_member):
    own = BookingFactory(group=BookingGroupFactory(owner=member))
    shared_group = BookingGroupFactory(owner=other_member)
    shared_group.collaborators.add(member)
    shared = BookingFactory(group=shared_group)
    hidden = BookingFactory(group=BookingGroupFactory(owner=UserFactory()))
    return own, shared, hidden


@pytest.mark.parametrize("literal_limit", [5000, 1])
def test_member_sees_own_and_shared_sessions(world, member, manager, monkeypatch, literal_limit):
    """Owned and shared sessions only (also past the literal-id limit, where a subquery is used); managers see all."""
    monkeypatch.setattr(selectors, "MAX_LITERAL_GROUP_IDS", literal_limit)
    own, shared, hidden = world
    assert set(bookings_visible_to(user=member)) == {own, shared}
    assert set(booking_groups_visible_to(user=member)) == {own.group, shared.group}
    assert set(bookings_visible_to(user=manager)) == {own, shared, hidden}


def test_member_list_uses_few_small_queries(world, member, django_assert_max_num_queries):
    """The member's visible bookings: two id queries and the bookings query, whatever the table size."""
    with django_assert_max_num_queries(5):  # + the permission lookups of is_lab_manager
        assert len(list(bookings_visible_to(user=member))) == 2
