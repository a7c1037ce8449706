"""core.statements: hand-written reads and inserts give what the ORM gives (SQLite and PostgreSQL)."""

from datetime import UTC, datetime

import pytest
from django.db import connection, transaction

from core import statements
from core.models import ApiToken, AuditEvent, Notification, User
from core.services.tokens import token_authenticate, token_create, token_revoke
from core.tests.factories import UserFactory


def _values(instance) -> dict:
    deferred = instance.get_deferred_fields()
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields if f.attname not in deferred}


def test_columns_build_the_instances_a_queryset_builds(db):
    user = UserFactory(username="ada", discord_id="123456789012345678", last_login=datetime(2027, 3, 28, 0, 30, tzinfo=UTC))
    columns = statements.Columns(User, "u", ["id", "username", "last_login", "is_staff", "discord_id"])
    sql = f"SELECT {columns.sql(connection)} FROM {connection.ops.quote_name(User._meta.db_table)} u WHERE u.id = %s"
    (row,) = statements.rows(sql, [user.pk])
    built = columns.instance(connection, row)
    expected = User.objects.only("id", "username", "last_login", "is_staff", "discord_id").get(pk=user.pk)
    assert _values(built) == _values(expected)
    assert built.last_login == datetime(2027, 3, 28, 0, 30, tzinfo=UTC) and built.is_staff is False
    assert built.get_deferred_fields() == expected.get_deferred_fields()
    with pytest.raises(ValueError, match="no column"):
        statements.Columns(User, "u", ["id", "nickname"])


def test_insert_stores_what_bulk_create_stores(db):
    actor = UserFactory()
    data = {"text": "naïve ☃ \"quoted\"", "n": [1, 2.5, None], "nested": {"ok": True}}
    mine = statements.insert([AuditEvent(actor=actor, action="core.test.done", target_type="x", target_id=str(i),
                                         target_repr="r", data=data) for i in range(300)])  # past one batch on SQLite
    theirs = AuditEvent.objects.bulk_create([AuditEvent(actor=actor, action="core.test.done", target_type="x",
                                                        target_id=str(i), target_repr="r", data=data) for i in range(300)])
    assert all(e.pk and not e._state.adding for e in mine)
    assert len({e.pk for e in mine}) == 300
    stored = {e.pk: e for e in AuditEvent.objects.filter(pk__in=[e.pk for e in mine])}
    for event in mine:
        assert _values(stored[event.pk]) == _values(event)  # ids match their rows; created_at set before saving
    strip = ("id", "created_at")
    assert [{k: v for k, v in _values(e).items() if k not in strip} for e in AuditEvent.objects.filter(pk__in=[e.pk for e in mine]).order_by("pk")] == \
        [{k: v for k, v in _values(e).items() if k not in strip} for e in AuditEvent.objects.filter(pk__in=[e.pk for e in theirs]).order_by("pk")]
    assert statements.insert([]) == []


def test_insert_keeps_defaults_and_refuses_an_unsaved_relation(db):
    (row,) = statements.insert([Notification(event="e", destination="booking", payload={"content": "hi"})])
    assert Notification.objects.get(pk=row.pk).payload == {"content": "hi"}
    assert Notification.objects.get(pk=row.pk).status == row.status
    with pytest.raises(ValueError), transaction.atomic():
        statements.insert([AuditEvent(actor=User(username="unsaved"), action="x")])
    with pytest.raises(ValueError, match="all have ids"):
        statements.insert([Notification(event="e", destination="booking"), Notification(pk=10**6, event="e", destination="booking")])
    (given,) = statements.insert([Notification(pk=10**6, event="e", destination="booking", payload={})])
    assert given.pk == 10**6 and Notification.objects.filter(pk=10**6).exists()


def test_token_lookup_loads_token_and_user_in_one_query(db, django_assert_num_queries):
    user = UserFactory(username="ada", is_staff=True)
    token, key = token_create(user=user, name="script")
    token_authenticate(key=key)  # touches last_used
    with django_assert_num_queries(1):
        found = token_authenticate(key=key)
        assert found.user.username == "ada" and found.user.is_staff
    expected = ApiToken.objects.select_related("user").get(pk=token.pk)
    assert _values(found) == _values(expected) and _values(found.user) == _values(expected.user)
    assert token_authenticate(key=key + "x") is None
    token_revoke(token=token, actor=user)
    assert token_authenticate(key=key) is None


def test_read_one_is_first_of_a_unique_column(db):
    """read_one: the row whose unique column has the value, built as the queryset builds it; None if none."""
    user = UserFactory(username="ada")
    columns = statements.Columns(User, "u", ["id", "username", "username_key"])
    found = statements.read_one(columns, "username_key", "ada", connection)
    expected = User.objects.only("id", "username", "username_key").filter(username_key="ada").first()
    assert found.pk == user.pk and _values(found) == _values(expected)
    assert statements.read_one(columns, "username_key", "nobody", connection) is None
