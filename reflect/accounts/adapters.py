"""django-allauth's hooks for Reflect (ACCOUNT_ADAPTER, SOCIALACCOUNT_ADAPTER).

Nobody signs up: the programme creates every account. Single sign-on only signs in people
the programme created (`reflect.accounts.sso`).
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.core.exceptions import PermissionDenied

from reflect.http import client_ip

from . import sso


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": "That username and password do not match an account. "
        "Both are case-sensitive.",
        "email_password_mismatch": "That e-mail address and password do not match an account.",
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        """The one client-address rule (`reflect.http.client_ip`, `TRUSTED_PROXY_COUNT`) for
        allauth's rate limits and session list too, as for lockout and the API's throttles:
        behind a load balancer every person would otherwise share its address and its limits."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address.")
        return ip

    def get_user_search_fields(self):
        return ["username", "first_name", "last_name", "email"]

    def send_password_reset_mail(self, user, email, context):
        # People who never chose a password (an invitation they did not use) can set one here.
        context = {**context, "has_password": user.has_usable_password()}
        return super().send_password_reset_mail(user, email, context)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False

    def is_auto_signup_allowed(self, request, sociallogin) -> bool:
        return False

    def pre_social_login(self, request, sociallogin) -> None:
        sso.pre_social_login(request, sociallogin)
