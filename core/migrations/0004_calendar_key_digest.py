# Calendar feed keys are stored as SHA-256 digests. Existing keys are hashed, so the feed URLs
# members already subscribed to keep working until they create a new one.

import hashlib

from django.db import migrations, models


def hash_feed_keys(apps, schema_editor):
    """Store each existing key's digest (the same SHA-256 as core.hashing.secret_digest)."""
    User = apps.get_model("core", "User")
    for user in User.objects.exclude(calendar_feed_key__isnull=True).exclude(calendar_feed_key="").only("pk", "calendar_feed_key"):
        digest = hashlib.sha256(user.calendar_feed_key.encode()).hexdigest()
        User.objects.filter(pk=user.pk).update(calendar_key_digest=digest)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_user_username_ci'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='calendar_key_digest',
            field=models.CharField(blank=True, editable=False, help_text='SHA-256 digest of the secret in the personal calendar feed URL (the key itself is shown once).', max_length=64, null=True, unique=True),
        ),
        # Not reversible: the plain keys are gone once hashed (members create a new URL).
        migrations.RunPython(hash_feed_keys, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='user',
            name='calendar_feed_key',
        ),
    ]
