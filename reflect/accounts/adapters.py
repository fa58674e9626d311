"""django-allauth's hooks for Reflect (ACCOUNT_ADAPTER, SOCIALACCOUNT_ADAPTER).

Nobody signs up: the programme creates every account. Single sign-on only signs in people
the programme created (`reflect.accounts.sso`).
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter

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
