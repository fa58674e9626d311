"""Account pages of our own: the invitation link, "my account", "sign out everywhere".

Sign-in, password reset and change, two-factor and single sign-on are django-allauth's views
(with templates in reflect/templates/account/, mfa/, socialaccount/, usersessions/).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from reflect import errors
from reflect import roles as R
from reflect.people import display_name

from . import services
from .forms import ChoosePasswordForm


@never_cache
def invitation(request, token: str):
    """The link in an invitation e-mail: choose a password, once."""
    try:
        invite = services.usable_invitation(token)
    except errors.Gone as gone:
        return render(request, "reflect/accounts/invitation_gone.html", {"message": gone.message}, status=410)
    if invite is None:
        return render(request, "reflect/accounts/invitation_unknown.html", status=404)
    user = invite.user
    form = ChoosePasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(token, form.cleaned_data["password1"])
        except errors.Gone as gone:
            return render(
                request, "reflect/accounts/invitation_gone.html", {"message": gone.message}, status=410
            )
        except ValidationError as exc:
            form.add_error("password1", exc)
        else:
            if request.user.is_authenticated and request.user.pk != user.pk:
                get_adapter(request).logout(request)
            messages.success(
                request,
                f"Your password is set. Sign in with your username, {user.get_username()}, "
                "or your e-mail address, and the password you chose.",
            )
            return redirect(reverse("account_login"))
    return render(
        request,
        "reflect/accounts/invitation.html",
        {
            "form": form,
            "person": display_name(user),
            "username": user.get_username(),
            "expires_at": invite.expires_at,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def my_account(request):
    """Name, e-mail, roles; links to change the password, two-factor sign-in and sessions;
    "sign out everywhere"."""
    user = request.user
    verified = EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
    context = {
        "person": display_name(user),
        "username": user.get_username(),
        "email": user.email,
        "email_verified": verified,
        "roles": [R.ROLE_LABELS[r] for r in R.roles_of(user)],
        "has_password": user.has_usable_password(),
        "has_second_factor": services.has_second_factor(user),
        "mfa_required": services.mfa_required(user),
        "linked": [],
    }
    for account in SocialAccount.objects.filter(user=user):
        provider = _provider_or_none(account, request)
        if provider is not None:
            context["linked"].append({"provider": provider.name, "since": account.date_joined})
    return render(request, "reflect/accounts/my_account.html", context)


def _provider_or_none(account, request):
    try:
        return account.get_provider(request)
    except Exception:  # noqa: BLE001 - a provider no longer configured
        return None


@login_required
@require_POST
def sign_out_everywhere(request):
    services.sign_out_everywhere(request, request.user)
    messages.success(
        request,
        "You are signed out on every device and browser, and your API tokens no longer work. "
        "Sign in again to continue.",
    )
    return redirect(reverse("account_login"))
