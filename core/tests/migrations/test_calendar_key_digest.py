"""The data migration that turns stored calendar feed keys into digests."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core.selectors import user_for_calendar_key

BEFORE = [("core", "0003_user_username_ci")]
AFTER = [("core", "0004_calendar_key_digest")]


@pytest.mark.django_db(transaction=True)
def test_existing_feed_keys_keep_working_after_hashing():
    """A key stored in plain before the migration is stored as its SHA-256 digest after it, so the
    URL a member subscribed to still finds them; members without a key (or with an empty one) get none."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    OldUser = old_apps.get_model("core", "User")
    key = "k" * 40
    OldUser.objects.create(username="ada", calendar_feed_key=key)
    OldUser.objects.create(username="bob", calendar_feed_key=None)
    OldUser.objects.create(username="cy", calendar_feed_key="")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    NewUser = executor.loader.project_state(AFTER).apps.get_model("core", "User")
    digests = dict(NewUser.objects.values_list("username", "calendar_key_digest"))

    executor = MigrationExecutor(connection)  # on to the latest schema, which the selector reads
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert digests == {"ada": hashlib.sha256(key.encode()).hexdigest(), "bob": None, "cy": None}
    assert user_for_calendar_key(key=key).username == "ada"
    assert user_for_calendar_key(key="x" * 40) is None
