from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from inventory.services.csv_import import devices_import_csv


class Command(BaseCommand):
    help = (
        "Create or update devices from a CSV file (the admin's export format). Rows match existing devices "
        "by asset id, serial number, then type and name. Every bad row is reported with its line number and "
        "nothing is imported when any row is bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file (UTF-8) with a header row, e.g. one exported from the admin.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count the changes; write nothing.")
        parser.add_argument("--user", help="Username recorded as the actor in the device history (default: none).")

    def handle(self, *args, file, dry_run, user, **options):
        actor = None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"No user named '{user}'.") from exc
        try:
            with open(file, "rb") as handle:
                result = devices_import_csv(file=handle, actor=actor, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}") from exc
        if not result.ok:
            raise CommandError("\n".join([result.summary(), *(str(e) for e in result.errors)]))
        self.stdout.write(result.summary())
