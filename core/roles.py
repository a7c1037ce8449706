"""The lab's two groups and what each may do."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

LAB_MANAGERS = "Lab managers"
LAB_MEMBERS = "Lab members"

# Lab managers get every permission of these apps (inventory writes, decisions on requests, ...).
MANAGER_APPS = ("inventory", "scheduler")
# ...and these individual ones of core.
MANAGER_CORE_CODENAMES = ("view_auditevent", "view_user")
# ...and seeing and lifting sign-in locks (django-axes' failed attempts).
MANAGER_AXES_CODENAMES = ("view_accessattempt", "delete_accessattempt")


@transaction.atomic
def roles_ensure() -> dict[str, int]:
    """Create both groups and (re)grant the managers' permissions. Idempotent.

    Returns the number of permissions each group holds.
    """
    managers, _ = Group.objects.get_or_create(name=LAB_MANAGERS)
    members, _ = Group.objects.get_or_create(name=LAB_MEMBERS)
    wanted = set(Permission.objects.filter(content_type__app_label__in=MANAGER_APPS))
    wanted |= set(Permission.objects.filter(content_type__app_label="core", codename__in=MANAGER_CORE_CODENAMES))
    wanted |= set(Permission.objects.filter(content_type__app_label="axes", codename__in=MANAGER_AXES_CODENAMES))
    extra = Permission.objects.filter(content_type__app_label="core", codename__endswith="_notification")
    wanted |= set(extra)
    if set(managers.permissions.all()) != wanted:
        managers.permissions.set(wanted)
    return {LAB_MANAGERS: len(wanted), LAB_MEMBERS: members.permissions.count()}


def is_lab_manager(user) -> bool:
    """Lab managers (and superusers) see and decide every request.

    A lab manager is whoever holds settings.LAB_MANAGER_PERMISSION (the scheduler's "decide" permission,
    which the "Lab managers" group holds): core names no other app's permission itself.
    """
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm(settings.LAB_MANAGER_PERMISSION)))


def managers_are_staff(sender, instance, action, pk_set, reverse, **kwargs):
    """m2m_changed receiver: joining "Lab managers" gives access to the admin (staff status)."""
    if action != "post_add" or not pk_set:
        return
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if not reverse:  # user.groups.add(group)
        if instance.groups.filter(pk__in=pk_set, name=LAB_MANAGERS).exists() and not instance.is_staff:
            User.objects.filter(pk=instance.pk).update(is_staff=True)
            instance.is_staff = True
    elif instance.name == LAB_MANAGERS:  # group.user_set.add(user)
        User.objects.filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
