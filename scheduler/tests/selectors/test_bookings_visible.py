"""Who sees which bookings: owner and collaborators by session ids (or, looking one up, by a condition
on that row), managers everything."""

import pytest
from django.contrib.auth.models import AnonymousUser

from core.tests.factories import UserFactory
from scheduler.selectors import bookings as selectors
from scheduler.selectors.bookings import booking_groups_visible_to, bookings_visible_to
from scheduler.tests.factories import BookingFactory, BookingGroupFactory


@pytest.fixture
def world(member, other_member):
    own = BookingFactory(group=BookingGroupFactory(owner=member))
    own.group.collaborators.add(member, other_member)  # owner and collaborator at once: still one row
    shared_group = BookingGroupFactory(owner=other_member)
    shared_group.collaborators.add(member, UserFactory())  # two collaborators: still one row
    shared = BookingFactory(group=shared_group)
    hidden = BookingFactory(group=BookingGroupFactory(owner=UserFactory()))
    hidden.group.collaborators.add(other_member)
    return own, shared, hidden


@pytest.mark.parametrize("literal_limit", [5000, 1])
def test_member_sees_own_and_shared_sessions(world, member, manager, monkeypatch, literal_limit):
    """Owned and shared sessions only (also past the literal-id limit, where a subquery is used); managers see all."""
    monkeypatch.setattr(selectors, "MAX_LITERAL_GROUP_IDS", literal_limit)
    own, shared, hidden = world
    assert set(bookings_visible_to(user=member)) == {own, shared}
    assert set(booking_groups_visible_to(user=member)) == {own.group, shared.group}
    assert set(bookings_visible_to(user=manager)) == {own, shared, hidden}


def test_looking_one_up_sees_the_same(world, member, other_member, manager, anon_user):
    """single=True (a condition on the row, for lookups by id) sees exactly what the session-id list sees."""
    for user in (member, other_member, manager, anon_user):
        for single in (False, True):
            bookings = list(bookings_visible_to(user=user, single=single))
            groups = list(booking_groups_visible_to(user=user, single=single))
            assert len(bookings) == len(set(bookings)) and len(groups) == len(set(groups))
            assert set(bookings) == set(bookings_visible_to(user=user))
            assert set(groups) == set(booking_groups_visible_to(user=user))
    own, shared, hidden = world
    assert set(bookings_visible_to(user=member, single=True)) == {own, shared}
    assert set(bookings_visible_to(user=other_member, single=True)) == {own, shared, hidden}
    assert bookings_visible_to(user=member, single=True).filter(pk=hidden.pk).count() == 0


def test_member_list_uses_few_small_queries(world, member, django_assert_max_num_queries):
    """The member's visible bookings: two id queries and the bookings query, whatever the table size."""
    with django_assert_max_num_queries(5):  # + the permission lookups of is_lab_manager
        assert len(list(bookings_visible_to(user=member))) == 2


@pytest.fixture
def anon_user():
    return AnonymousUser()
