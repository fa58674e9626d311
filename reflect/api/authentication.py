from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from reflect import roles as R


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, reading the user's roles in the same query.

    Every API request needs the caller's roles (permissions, then the scope rule); reading
    them with the token saves one query per request. The result fills the cache that
    `portfolio.roles.roles_of` keeps on the user object, with the same rule (role groups, plus
    admin for superusers).
    """

    def authenticate_credentials(self, key):
        model = self.get_model()
        membership = get_user_model().groups.through.objects.filter(user_id=OuterRef("user_id"))
        flags = {f"has_role_{role}": Exists(membership.filter(group__name=role)) for role in R.ALL_ROLES}
        try:
            token = model.objects.select_related("user").annotate(**flags).get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = token.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user._portfolio_roles = [
            role
            for role in R.ALL_ROLES
            if getattr(token, f"has_role_{role}") or (role == R.ADMIN and user.is_superuser)
        ]
        return (user, token)


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
