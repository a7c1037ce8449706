from django.core.management.base import BaseCommand

from scheduler.services.booking import booking_expire_due


class Command(BaseCommand):
    help = "Mark pending and conflicting requests whose end has passed as expired (the worker runs the same service)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count the requests that would expire.")

    def handle(self, *args, dry_run=False, **options):
        bookings = booking_expire_due(dry_run=dry_run)
        verb = "Would expire" if dry_run else "Expired"
        self.stdout.write(f"{verb} {len(bookings)} request{'' if len(bookings) == 1 else 's'}.")
