"""The lab's two groups and what each may do."""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

LAB_MANAGERS = "Lab managers"
LAB_MEMBERS = "Lab members"
APPROVERS = "Approvers"
VIEWERS = "Viewers"
# Groups whose members work in the admin (joining one grants staff status).
STAFF_GROUPS = (LAB_MANAGERS, APPROVERS, VIEWERS)

# Lab managers get every permission of these apps (inventory writes, decisions, ...).
MANAGER_APPS = ("inventory", "scheduler")
# ...and these individual ones of core.
MANAGER_CORE_CODENAMES = ("view_auditevent", "export_auditevent", "view_user")
# Approvers decide requests and read the scheduler's records (what deciding needs), nothing else.
APPROVER_APP = "scheduler"
APPROVER_CODENAME_PREFIXES = ("decide_", "view_")
# Viewers read every admin page of the lab (and the reports) and change nothing; they export nothing.
VIEWER_APPS = ("core", "inventory", "scheduler")
VIEWER_EXTRA = ("scheduler.view_reports",)
# ...and seeing and lifting sign-in locks (django-axes' failed attempts).
MANAGER_AXES_CODENAMES = ("view_accessattempt", "delete_accessattempt")


@transaction.atomic
def roles_ensure() -> dict[str, int]:
    """Create the four groups and (re)grant their permissions. Idempotent.

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
    granted = {LAB_MANAGERS: len(wanted), LAB_MEMBERS: members.permissions.count()}
    viewer_perms = set(Permission.objects.filter(content_type__app_label__in=VIEWER_APPS, codename__startswith="view_"))
    viewer_perms |= set(_permissions(VIEWER_EXTRA))
    approver_perms = {p for p in Permission.objects.filter(content_type__app_label=APPROVER_APP)
                      if p.codename.startswith(APPROVER_CODENAME_PREFIXES) and p.codename != "view_reports"}
    for name, perms in ((APPROVERS, approver_perms), (VIEWERS, viewer_perms)):
        group, _ = Group.objects.get_or_create(name=name)
        if set(group.permissions.all()) != perms:
            group.permissions.set(perms)
        granted[name] = len(perms)
    return granted


def _permissions(dotted: tuple[str, ...]):
    query = Permission.objects.none()
    for name in dotted:
        app_label, codename = name.split(".")
        query |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    return query


def is_lab_manager(user) -> bool:
    """Lab managers (and superusers) run the lab: they cancel anyone's requests, plan maintenance, decide.

    A lab manager is whoever holds settings.LAB_MANAGER_PERMISSION (which the "Lab managers" group holds):
    core names no other app's permission itself.
    """
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm(settings.LAB_MANAGER_PERMISSION)))


def can_decide_requests(user) -> bool:
    """Lab managers and approvers (holders of settings.REQUEST_DECIDER_PERMISSION) see every request and decide it."""
    return bool(user and user.is_authenticated and (user.is_superuser or user.has_perm(settings.REQUEST_DECIDER_PERMISSION)))


def managers_are_staff(sender, instance, action, pk_set, reverse, **kwargs):
    """m2m_changed receiver: joining "Lab managers" gives access to the admin (staff status)."""
    if action != "post_add" or not pk_set:
        return
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if not reverse:  # user.groups.add(group)
        if instance.groups.filter(pk__in=pk_set, name__in=STAFF_GROUPS).exists() and not instance.is_staff:
            User.objects.filter(pk=instance.pk).update(is_staff=True)
            instance.is_staff = True
    elif instance.name in STAFF_GROUPS:  # group.user_set.add(user)
        User.objects.filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
