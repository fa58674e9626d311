from django.db.models import Exists, OuterRef
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from reflect import tokens
from reflect.accounts.services import lacks_required_second_factor, second_factors

MFA_NEEDED = (
    "Your role needs two-factor sign-in, and it is not set up on your account yet. Sign in on the "
    "site and set it up under My account → Two-factor sign-in; the API works for you after that."
)


def refuse_without_required_second_factor(user) -> None:
    """403 for a person who must use two-factor sign-in (REQUIRE_MFA_FOR_STAFF) and has not
    set it up: the API is one more door to the portfolios it protects."""
    if lacks_required_second_factor(user):
        raise exceptions.PermissionDenied(MFA_NEEDED)


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` with the project's own tokens (`reflect.tokens`: hashed
    at rest, expiring, revocable), reading the user's roles in the same query.

    Every API request needs the caller's roles (permissions, then the scope rule); reading
    them with the token saves one query per request. The result fills the cache that
    `reflect.roles.roles_of` keeps on the user object, with the same rule (role groups, plus
    admin for superusers).
    """

    def authenticate_credentials(self, key):
        # Whether the person has a second factor, for the two-factor rule (in the same query).
        second_factor = {"has_second_factor": Exists(second_factors().filter(user_id=OuterRef("user_id")))}
        try:
            token = tokens.authenticate(key, annotations=second_factor)
        except tokens.TokenError as exc:
            raise exceptions.AuthenticationFailed(exc.message)
        user = token.user
        user._has_second_factor = token.has_second_factor
        refuse_without_required_second_factor(user)
        return (user, token)


class SessionAuthentication(authentication.SessionAuthentication):
    """Session auth that answers 401 (with WWW-Authenticate) rather than 403 when no
    credentials are sent, as the API contract asks."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            refuse_without_required_second_factor(result[0])
        return result

    def authenticate_header(self, request):
        return 'Session realm="api"'


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe our session authentication in the OpenAPI schema (cookie `sessionid`)."""

    target_class = "reflect.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
