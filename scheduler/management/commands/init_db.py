from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from core.roles import roles_ensure
from inventory.models import Device, DeviceType, Manufacturer, Outlet, Pdu, Port, Site, Tag
from inventory.services.demo import demo_lab_create, demo_users_ensure, demo_wiring_ensure
from inventory.services.demo_power import demo_power_create
from inventory.services.setup import device_types_ensure
from scheduler.models import Booking, BookingPolicy, MaintenanceWindow
from scheduler.services.demo import demo_bookings_create
from scheduler.services.demo_history import demo_history_create


def _state() -> dict[str, int]:
    """Row counts of everything init_db may create, to tell the operator what changed."""
    User = get_user_model()
    return {
        "groups": Group.objects.count(),
        "group permissions": Group.permissions.through.objects.count(),
        "device types": DeviceType.objects.count(),
        "booking policy": BookingPolicy.objects.count(),
        "sites": Site.objects.count(),
        "manufacturers": Manufacturer.objects.count(),
        "tags": Tag.objects.count(),
        "devices": Device.objects.count(),
        "ports": Port.objects.count(),
        "PDUs": Pdu.objects.count(),
        "outlets": Outlet.objects.count(),
        "users": User.objects.count(),
        "bookings": Booking.objects.count(),
        "maintenance windows": MaintenanceWindow.objects.count(),
    }


class Command(BaseCommand):
    help = (
        "Prepare the database: apply migrations, create the groups 'Lab managers', 'Lab members', 'Approvers' and 'Viewers' "
        "with their permissions, the default device types and the booking policy. --demo also adds a demo lab (about 200 "
        "devices on 2 sites) demo users, a few weeks of bookings around today and 12 weeks of history before them, and prints their logins. Safe to run again: it only adds what is missing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="Also create the demo lab, demo users and demo bookings.")

    def handle(self, *args, demo=False, verbosity=1, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0), stdout=self.stdout)

        before = _state()
        roles_ensure()
        device_types_ensure()
        BookingPolicy.load()
        users = []
        if demo:
            demo_lab_create()
            demo_wiring_ensure()
            demo_power_create()
            users = demo_users_ensure()
            demo_bookings_create()
            demo_history_create()
        after = _state()

        changes = [f"{name} {after[name] - before[name]:+d}" for name in after if after[name] != before[name]]
        if pending:
            changes.insert(0, f"{pending} migration(s) applied")
        if changes:
            self.stdout.write(self.style.SUCCESS("Database initialised: " + ", ".join(changes) + "."))
        else:
            self.stdout.write("Nothing changed: the database was already initialised.")
        if users:
            self.stdout.write("Demo logins (demo only; change these passwords on a shared machine):")
            for user in users:
                note = "" if user.created else "  (existing user; password not reset)"
                self.stdout.write(f"  {user.role:<13} {user.username} / {user.password}{note}")
