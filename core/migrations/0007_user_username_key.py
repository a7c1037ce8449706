"""Store each username's comparison key (NFKC + casefold), computed in Python, so that SQLite (whose
lower() folds ASCII only) and PostgreSQL agree on which usernames are the same."""

import unicodedata

from django.db import migrations, models


def username_key(username):
    text = unicodedata.normalize("NFKC", (username or "").strip())
    return unicodedata.normalize("NFKC", text.casefold())


def fill_keys(apps, schema_editor):
    User = apps.get_model("core", "User")
    seen = {}
    for user in User.objects.order_by("pk"):
        key = username_key(user.username)
        if key in seen:
            # Two accounts SQLite let in as different names ("Äpfel"/"äpfel"): keep both, mark the later.
            key = f"{key}~{user.pk}"
        seen[key] = user.pk
        User.objects.filter(pk=user.pk).update(username_key=key)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0006_database_cache_table"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(
                editable=False, max_length=150, unique=True,
                help_text="The username folded for comparison (NFKC + casefold), the same on every database.",
            ),
        ),
    ]
