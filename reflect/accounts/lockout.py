"""django-axes: which name a sign-in attempt counts against (`AXES_USERNAME_CALLABLE`).

The doors send different fields: the site's sign-in form (allauth) a `login` that may be a
username or an e-mail address (allauth passes it to `authenticate()` as `username` and, for an
address, `email`), the API token endpoint a `username`, and refused single sign-on the
provider's e-mail address (`reflect.accounts.sso`). An e-mail address that belongs to exactly
one account counts against that account's username, so a person has one failure counter
whichever door an attacker tries; an unknown name counts as typed (lower-cased).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model


def _typed(request, credentials) -> str:
    for source in (
        credentials or {},
        getattr(request, "data", None) or {},
        getattr(request, "POST", {}) or {},
    ):
        try:
            for key in ("username", "login", "email"):
                value = source.get(key)
                if value:
                    return str(value).strip()
        except AttributeError:  # a JSON body that is not an object
            continue
    return ""


def username_for_lockout(request, credentials=None) -> str | None:
    """The username a failed (or locked) attempt counts against, or None when none was sent."""
    typed = _typed(request, credentials)
    if not typed:
        return None
    if "@" in typed:
        User = get_user_model()
        if not User.objects.filter(username=typed).exists():
            matches = list(
                User.objects.filter(email__iexact=typed, is_active=True).values_list("username", flat=True)[
                    :2
                ]
            )
            if len(matches) == 1:
                return matches[0]
            return typed.lower()
    return typed
