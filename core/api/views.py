"""Accounts API: register, API tokens and the signed-in user. Thin: the services do the work."""

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from core.api.serializers import (
    ApiTokenSerializer,
    ProfileUpdateInputSerializer,
    RegisterInputSerializer,
    TokenCreatedSerializer,
    TokenCreateInputSerializer,
    UserSerializer,
)
from core.api.throttling import AuthRateThrottle
from core.exceptions import ApplicationError
from core.lockout import registration_check, registration_failed
from core.models import ApiToken
from core.services.tokens import token_create, token_revoke
from core.services.users import user_register, user_update_profile

# One message whichever part was wrong, so that the answer does not reveal which usernames exist.
SIGN_IN_FAILED_MESSAGE = "Unable to sign in with these credentials."

_ERROR = OpenApiResponse(description="Invalid input: `{field: [messages]}` or `{detail}`.")
_THROTTLED = OpenApiResponse(description="Too many attempts; retry after the number of seconds in `Retry-After`.")


class _AnonymousAuthView(APIView):
    """Endpoints used before the caller has credentials: no authentication, throttled per client."""

    # No authentication: a stale token or a signed-in browser without its CSRF token must not block signing in.
    authentication_classes = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AuthRateThrottle]
    throttle_scope = "auth"


class RegisterView(_AnonymousAuthView):
    @extend_schema(
        operation_id="auth_register",
        summary="Create an account",
        description=(
            "Open unless the site sets REGISTRATION_OPEN=false (then 403). New accounts join the "
            "'Lab members' group. Usernames and email addresses are unique case-insensitively."
        ),
        request=RegisterInputSerializer,
        responses={
            201: UserSerializer,
            400: _ERROR,
            403: OpenApiResponse(description="Registration is closed."),
            429: _THROTTLED,
        },
        auth=[],
    )
    def post(self, request):
        username = request.data.get("username") if isinstance(request.data, dict) else None
        username = username if isinstance(username, str) else ""
        locked = registration_check(request._request, username)
        if locked is not None:
            return locked
        serializer = RegisterInputSerializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
            user = user_register(**serializer.validated_data)
        except (exceptions.ValidationError, DjangoValidationError):
            registration_failed(request._request, username)
            raise
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


class TokenCreateView(_AnonymousAuthView):
    @extend_schema(
        operation_id="auth_token_create",
        summary="Create an API token",
        description=(
            "Exchange a username and password for a new named API token. The key (`token`) is shown in "
            "this answer only; send it as `Authorization: Token <key>`."
        ),
        request=TokenCreateInputSerializer,
        responses={201: TokenCreatedSerializer, 400: _ERROR, 429: _THROTTLED},
        auth=[],
    )
    def post(self, request):
        serializer = TokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Django's backends refuse inactive users and run the hasher for unknown usernames too.
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise ApplicationError(SIGN_IN_FAILED_MESSAGE)
        token, key = token_create(user=user, name=data["name"], expires_at=data["expires_at"])
        return Response(TokenCreatedSerializer(token, context={"key": key}).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(operation_id="auth_tokens_list", summary="List your API tokens (never their keys)"),
    retrieve=extend_schema(operation_id="auth_tokens_retrieve", summary="One of your API tokens"),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The caller's own API tokens; anybody else's are 404."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return ApiToken.objects.filter(user=self.request.user).order_by("-created_at", "-id")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": clock.now()}

    @extend_schema(
        operation_id="auth_tokens_revoke",
        summary="Revoke one of your API tokens",
        description="The token stops working at once. Revoking a revoked token changes nothing.",
        request=None,
        responses={200: ApiTokenSerializer},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = token_revoke(token=self.get_object(), actor=request.user)
        return Response(self.get_serializer(token).data)


class MeView(APIView):
    """The signed-in user."""

    @extend_schema(operation_id="me_retrieve", summary="Who am I", responses={200: UserSerializer})
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        operation_id="me_partial_update",
        summary="Change your contact details",
        description="Only email, first_name, last_name and discord_id; any other field is a 400.",
        request=ProfileUpdateInputSerializer,
        responses={200: UserSerializer, 400: _ERROR},
    )
    def patch(self, request):
        serializer = ProfileUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = user_update_profile(user=request.user, actor=request.user, data=serializer.validated_data)
        return Response(UserSerializer(user).data)
