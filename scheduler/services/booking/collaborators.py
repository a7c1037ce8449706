"""A session's collaborators: resolved from usernames, and replaced by the owner or a manager."""

from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q

from core.exceptions import ApplicationError
from core.services.audit import audit_log
from scheduler.models import BookingGroup
from scheduler.services.booking.permissions import require_owner_or_manager

MAX_COLLABORATORS = 50


def resolve_collaborators(owner, usernames) -> list:
    User = get_user_model()
    names, seen = [], set()
    for raw in usernames or ():
        if not isinstance(raw, str):
            raise ApplicationError("Collaborators are usernames (text).")
        name = raw.strip()
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    if len(names) > MAX_COLLABORATORS:
        raise ApplicationError(f"A session may have at most {MAX_COLLABORATORS} collaborators.")
    if owner.username.lower() in seen:
        raise ApplicationError("You own this session; leave your own name out of the collaborators.",
                               extra={"collaborators": ["The owner cannot be a collaborator."]})
    if not names:
        return []
    query = Q()
    for name in names:
        query |= Q(username__iexact=name)
    found: dict[str, object] = {}
    for user in User.objects.filter(query, is_active=True).order_by("pk"):
        found.setdefault(user.username.lower(), user)
    unknown = [name for name in names if name.lower() not in found]
    if unknown:
        label = "Unknown username" if len(unknown) == 1 else "Unknown usernames"
        raise ApplicationError(f"{label}: {', '.join(unknown)}. Check the spelling.",
                               extra={"collaborators": [f"{label}: {', '.join(unknown)}."], "unknown": unknown})
    return [found[name.lower()] for name in names]


@contextmanager
def collaborators_known(group: BookingGroup, collaborators: list):
    """While the receivers of a signal run, `group.collaborators.all()` answers from `collaborators`
    without a query (as prefetch_related would); afterwards the group reads them again."""
    queryset = group.collaborators.all()
    queryset._result_cache = sorted(collaborators, key=lambda u: u.username)
    queryset._prefetch_done = True
    cache = group.__dict__.setdefault("_prefetched_objects_cache", {})
    cache["collaborators"] = queryset
    try:
        yield
    finally:
        cache.pop("collaborators", None)


def booking_group_set_collaborators(*, group: BookingGroup, actor, usernames: list[str]) -> BookingGroup:
    """Replace the session's collaborators (owner or manager); usernames are matched case-insensitively."""
    with transaction.atomic():
        group = BookingGroup.objects.select_for_update().select_related("owner").get(pk=group.pk)
        require_owner_or_manager(actor, group, "change the collaborators of")
        people = resolve_collaborators(group.owner, usernames)
        before = sorted(group.collaborators.values_list("username", flat=True))
        group.collaborators.set(people)
        audit_log(actor=actor, action="scheduler.group.collaborators_changed", target=group,
                  data={"from": before, "to": sorted(u.username for u in people)})
    return group
