import pytest
from django.db.models.fields.files import FieldFile
from django.test import Client

from core.tests.factories import UserFactory


@pytest.fixture
def staff_manager(manager):
    """A lab manager who may use the admin (the admin needs is_staff)."""
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    return manager


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def _browser_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager_browser(staff_manager):
    return _browser_for(staff_manager)


@pytest.fixture
def browser_for():
    """A Django test client signed in (session) as any user: browser_for(user)."""
    return _browser_for


def admin_form_data(response) -> dict:
    """The POST data a browser would send back for an admin add/change page, unchanged."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        forms += formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False or isinstance(value, FieldFile):
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)
    return data
