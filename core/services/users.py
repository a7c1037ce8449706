"""Accounts: self-service registration and profile changes."""

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.exceptions import NotAllowed
from core.hashing import new_secret, secret_digest
from core.models import User, discord_id_validator
from core.roles import LAB_MEMBERS
from core.services.audit import audit_log
from core.usernames import username_key

REGISTRATION_CLOSED_MESSAGE = "Registration is closed on this site; ask a lab manager to create your account."

# Fields a user may change about themselves; username, groups and staff flags are the managers'.
PROFILE_FIELDS = ("email", "first_name", "last_name", "discord_id")


def _clean_discord_id(discord_id: str | None) -> str | None:
    discord_id = (discord_id or "").strip()
    return discord_id or None


def _check_unique(*, username: str | None, email: str | None, discord_id: str | None, exclude_pk=None) -> None:
    """Raise a field-keyed ValidationError for a taken username (by its NFKC + casefold key), email or
    Discord id (case-insensitive)."""
    others = User.objects.exclude(pk=exclude_pk) if exclude_pk else User.objects.all()
    errors: dict[str, list[str]] = {}
    if username and others.filter(username_key=username_key(username)).exists():
        errors["username"] = ["This username is already taken; pick another one."]
    if email and others.filter(email__iexact=email).exists():
        errors["email"] = ["An account with this email address already exists; sign in or reset its password."]
    if discord_id and others.filter(discord_id=discord_id).exists():
        errors["discord_id"] = ["This Discord id belongs to another account."]
    if errors:
        raise ValidationError(errors)


def _validate_discord_id(discord_id: str | None) -> None:
    if discord_id is None:
        return
    try:
        discord_id_validator(discord_id)
    except ValidationError as exc:
        raise ValidationError({"discord_id": exc.messages}) from None


@transaction.atomic
def user_register(*, username: str, email: str, password: str, discord_id: str | None = None) -> User:
    """Create a lab member's account from the self-service form or API.

    Refused (NotAllowed) when settings.REGISTRATION_OPEN is false. Usernames and email addresses are
    unique case-insensitively; the password must pass Django's validators.
    """
    if not settings.REGISTRATION_OPEN:
        raise NotAllowed(REGISTRATION_CLOSED_MESSAGE)
    username = (username or "").strip()
    email = User.objects.normalize_email((email or "").strip())
    discord_id = _clean_discord_id(discord_id)
    if not email:
        raise ValidationError({"email": ["Give an email address so that lab managers can reach you."]})
    _validate_discord_id(discord_id)
    _check_unique(username=username, email=email, discord_id=discord_id)

    user = User(username=username, email=email, discord_id=discord_id)
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.full_clean()
    try:
        # A savepoint, so that a racing registration of the same name turns into a 400, not a 500.
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise ValidationError({"username": ["This username or email address was registered a moment ago."]}) from None
    members, _ = Group.objects.get_or_create(name=LAB_MEMBERS)
    user.groups.add(members)
    audit_log(actor=user, action="core.user.registered", target=user, data={"username": user.username})
    return user


@transaction.atomic
def user_update_profile(*, user: User, actor, data: dict) -> User:
    """Change a user's own contact details: email, first/last name and Discord id only."""
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({field: ["This field cannot be changed here."] for field in sorted(unknown)})
    changes = dict(data)
    if "email" in changes:
        changes["email"] = User.objects.normalize_email((changes["email"] or "").strip())
        if not changes["email"]:
            raise ValidationError({"email": ["Give an email address so that lab managers can reach you."]})
    if "discord_id" in changes:
        changes["discord_id"] = _clean_discord_id(changes["discord_id"])
        _validate_discord_id(changes["discord_id"])
    _check_unique(username=None, email=changes.get("email"), discord_id=changes.get("discord_id"), exclude_pk=user.pk)

    changed = sorted(field for field, value in changes.items() if getattr(user, field) != value)
    if not changed:
        return user
    for field in changed:
        setattr(user, field, changes[field])
    user.full_clean()
    try:
        with transaction.atomic():
            user.save(update_fields=changed)
    except IntegrityError:
        raise ValidationError({"email": ["This email address or Discord id belongs to another account."]}) from None
    audit_log(actor=actor, action="core.user.updated", target=user, data={"fields": changed})
    return user


@transaction.atomic
def user_calendar_key_regenerate(*, user: User) -> str:
    """Give the user a new calendar feed key and return it; the old feed URLs stop working at once.

    Only the key's digest is stored, so the returned key (and the feed URL made from it) can be
    shown this once, like an API token's key.
    """
    key = new_secret(30)
    user.calendar_key_digest = secret_digest(key)
    user.save(update_fields=["calendar_key_digest"])
    audit_log(actor=user, action="core.user.calendar_key_regenerated", target=user)
    return key


@transaction.atomic
def user_calendar_key_revoke(*, user: User, actor) -> bool:
    """Turn the user's calendar feed off: every feed URL made with their key stops working.

    For "sign out everywhere" and for a member who no longer wants a feed. Returns False (and records
    nothing) when the user had no feed key.
    """
    if user.calendar_key_digest is None:
        return False
    user.calendar_key_digest = None
    user.save(update_fields=["calendar_key_digest"])
    audit_log(actor=actor, action="core.user.calendar_key_revoked", target=user)
    return True
