from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from reflect import tokens


class TokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` with the project's own tokens (`reflect.tokens`: hashed
    at rest, expiring, revocable), reading the user's roles in the same query.

    Every API request needs the caller's roles (permissions, then the scope rule); reading
    them with the token saves one query per request. The result fills the cache that
    `reflect.roles.roles_of` keeps on the user object, with the same rule (role groups, plus
    admin for superusers).
    """

    def authenticate_credentials(self, key):
        try:
            token = tokens.authenticate(key)
        except tokens.TokenError as exc:
            raise exceptions.AuthenticationFailed(exc.message)
        return (token.user, token)


class SessionAuthentication(authentication.SessionAuthentication):
    """Session auth that answers 401 (with WWW-Authenticate) rather than 403 when no
    credentials are sent, as the API contract asks."""

    def authenticate_header(self, request):
        return 'Session realm="api"'


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe our session authentication in the OpenAPI schema (cookie `sessionid`)."""

    target_class = "reflect.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
