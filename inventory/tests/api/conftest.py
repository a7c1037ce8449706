"""Fixtures of the inventory API tests."""

import pytest


@pytest.fixture
def clients(anon_client, member_client, manager_client):
    """The permission matrix's three callers, by role."""
    return {"anonymous": anon_client, "member": member_client, "manager": manager_client}
