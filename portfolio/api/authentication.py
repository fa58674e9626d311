from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication


class SessionAuthentication(authentication.SessionAuthentication):
    """Session auth that answers 401 (with WWW-Authenticate) rather than 403 when no
    credentials are sent, as the API contract asks."""

    def authenticate_header(self, request):
        return 'Session realm="api"'


class SessionAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe our session authentication in the OpenAPI schema (cookie `sessionid`)."""

    target_class = "portfolio.api.authentication.SessionAuthentication"
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
