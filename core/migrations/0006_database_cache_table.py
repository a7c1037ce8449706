"""Create the database cache table (CACHES without CACHE_URL), so that `migrate` is all a new site needs.

The API's throttle counters live in the cache, shared by every app process; `createcachetable` does
nothing when the table exists or when the cache is not a database cache (e.g. Redis).
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0005_notification_channel_by_name"),
    ]

    operations = [
        migrations.RunPython(create_cache_table, migrations.RunPython.noop),
    ]
