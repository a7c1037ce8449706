"""Fixtures shared by every app's tests."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from core.roles import LAB_MANAGERS, LAB_MEMBERS, roles_ensure
from core.tests.factories import UserFactory


def _db_fixture(request) -> str | None:
    """The database fixture a test uses ("db" or "transactional_db"), or None without database access."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if {"transactional_db", "live_server"} & names or (marker and marker.kwargs.get("transaction")):
        return "transactional_db"
    if marker or {"db", "django_db_setup"} & names:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _isolated(request, settings, tmp_path):
    """Fresh throttling counters and a private media folder for every test.

    The cache is the database cache table (as on a site without CACHE_URL), so only tests with
    database access can (and need to) clear it.
    """
    db_fixture = _db_fixture(request)
    if db_fixture:
        request.getfixturevalue(db_fixture)
        cache.clear()
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    if db_fixture:
        cache.clear()


@pytest.fixture
def groups(db):
    roles_ensure()
    from django.contrib.auth.models import Group

    return {g.name: g for g in Group.objects.all()}


@pytest.fixture
def member(groups):
    user = UserFactory(username="member")
    user.groups.add(groups[LAB_MEMBERS])
    return user


@pytest.fixture
def other_member(groups):
    user = UserFactory(username="other")
    user.groups.add(groups[LAB_MEMBERS])
    return user


@pytest.fixture
def manager(groups):
    user = UserFactory(username="manager")
    user.groups.add(groups[LAB_MANAGERS])
    return user


def _client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def other_client(other_member):
    return _client_for(other_member)


@pytest.fixture
def manager_client(manager):
    return _client_for(manager)


@pytest.fixture
def client_for():
    """Build an API client signed in as any user: client_for(user)."""
    return _client_for
