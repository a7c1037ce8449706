"""Password changes, by the user on their page or by a lab manager in the admin."""

from django.db import transaction

from core import clock
from core.models import ApiToken, User
from core.services.audit import audit_log, audit_log_many
from core.services.users import user_calendar_key_revoke


@transaction.atomic
def user_tokens_revoke_all(*, user: User, actor) -> int:
    """Revoke every live API token of `user`; returns how many."""
    now = clock.now()
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=now)
    audit_log_many(actor=actor, action="core.token.revoked", entries=[(t, None) for t in tokens])
    return len(tokens)


@transaction.atomic
def user_password_save(*, user: User, actor, sign_out_everywhere: bool) -> User:
    """Store the password a form has just set on `user` (set_password / set_unusable_password).

    Every browser the user signed in with before is signed out by itself: Django checks each sign-in
    against the password. `sign_out_everywhere` also revokes their API tokens and calendar feed
    URLs, which would otherwise keep working with the old access.
    """
    user.save(update_fields=["password"])
    revoked = {"tokens": 0, "calendar_key": False}
    if sign_out_everywhere:
        revoked["tokens"] = user_tokens_revoke_all(user=user, actor=actor)
        revoked["calendar_key"] = user_calendar_key_revoke(user=user, actor=actor)
    audit_log(actor=actor, action="core.user.password_changed", target=user,
              data={"sign_out_everywhere": sign_out_everywhere, **revoked})
    return user
