"""Shapes of the accounts API. Input serializers check shape only; the services check the rules."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.query import StrictCharField
from core.models import ApiToken, User
from core.roles import is_lab_manager
from core.services.tokens import token_state

# Generous caps so that a megabyte of "password" is a 400, not a slow hash.
PASSWORD_MAX_LENGTH = 1024
DISCORD_ID_MAX_LENGTH = 20


@extend_schema_field({"type": "string", "pattern": "^([0-9]{17,20})?$", "maxLength": 20})
class DiscordIdField(serializers.CharField):
    """A Discord snowflake as a string. JSON numbers are refused: JavaScript rounds them above 2**53."""

    default_error_messages = {"not_a_string": "Send the Discord id as a string of 17–20 digits."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class UserSerializer(serializers.ModelSerializer):
    """The signed-in user as the API shows them (never the password)."""

    is_lab_manager = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "email", "first_name", "last_name", "discord_id", "is_lab_manager", "groups"]
        read_only_fields = fields

    def get_is_lab_manager(self, user) -> bool:
        return is_lab_manager(user)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_groups(self, user) -> list[str]:
        return sorted(group.name for group in user.groups.all())


@extend_schema_field({"type": "string", "pattern": r"^\s*[\w.@+-]+\s*$", "minLength": 1, "maxLength": 150})
class UsernameField(StrictCharField):
    """Letters, digits and @ . + - _ (Django's username rule), at most 150 characters."""


class RegisterInputSerializer(serializers.Serializer):
    username = UsernameField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True)
    discord_id = DiscordIdField(
        max_length=DISCORD_ID_MAX_LENGTH, required=False, allow_null=True, allow_blank=True,
        help_text="Your Discord user id (17–20 digits), so that decisions about your requests can mention you.",
    )


class ProfileUpdateInputSerializer(serializers.Serializer):
    """PATCH /api/me/: only these fields; anything else is refused with a field error."""

    email = serializers.EmailField(max_length=254, required=False)
    first_name = StrictCharField(max_length=150, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=150, required=False, allow_blank=True)
    discord_id = DiscordIdField(
        max_length=DISCORD_ID_MAX_LENGTH, required=False, allow_null=True, allow_blank=True,
        help_text="17–20 digits; null or empty to remove it.",
    )

    def validate(self, attrs):
        if isinstance(self.initial_data, dict):
            unknown = sorted(set(self.initial_data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({field: ["This field cannot be changed here."] for field in unknown})
        return attrs


class TokenCreateInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True)
    name = serializers.CharField(
        max_length=100, required=False, default="API token", help_text="What the token is for, e.g. the script using it."
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="Optional expiry (ISO 8601); never expires when absent."
    )


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: everything but the key, which is only shown once at creation."""

    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "expires_at", "last_used", "revoked_at", "is_active"]
        read_only_fields = fields

    def get_is_active(self, token) -> bool:
        return token_state(token, now=self.context.get("now")) == "active"


class TokenCreatedSerializer(serializers.ModelSerializer):
    """Answer of POST /api/auth/token/: the key (`token`) appears here once and never again."""

    token = serializers.SerializerMethodField(help_text="The API key. Store it now: it cannot be shown again.")

    class Meta:
        model = ApiToken
        fields = ["token", "id", "name", "prefix", "created_at", "expires_at"]
        read_only_fields = fields

    def get_token(self, token) -> str:
        return self.context["key"]
