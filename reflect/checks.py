"""Lockout is on wherever the apps run: a system check refuses a site without django-axes wired.

Without django-axes' backend first in AUTHENTICATION_BACKENDS a locked-out person signs in
with the right password (another backend answers before axes refuses), and without its
middleware last in MIDDLEWARE the lockout answer is never given: a site that copied settings
by hand could run with lockout silently off. `reflect.settings.configure` wires both; this
check makes every `manage.py` command (runserver, migrate, check) fail until they are.

django-axes' own checks only warn (axes.W002, axes.W003) and accept its backend anywhere in
the list; these are errors, with our order (django-axes' installation docs: the backend
first, the middleware last).
"""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.utils.module_loading import import_string

from reflect.dates import parse_iso_dates

AXES_MIDDLEWARE = "axes.middleware.AxesMiddleware"
HINT = (
    "Call reflect.settings.configure(globals()) at the end of the settings module "
    "(README, 'Add it to an existing Wagtail site')."
)


def _is_axes_backend(path: str) -> bool:
    # django-axes' backend module reads its models: imported only once "axes" is known to be
    # installed (a site without it gets reflect.E001, not an import error).
    from axes.backends import AxesStandaloneBackend

    try:
        backend = import_string(path)
    except ImportError:
        return False
    return isinstance(backend, type) and issubclass(backend, AxesStandaloneBackend)


@register(Tags.security)
def lockout_is_wired(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    if "axes" not in settings.INSTALLED_APPS:
        message = "django-axes ('axes') is not in INSTALLED_APPS: sign-in lockout is off."
        return [Error(message, hint=HINT, id="reflect.E001")]
    if not getattr(settings, "AXES_ENABLED", True):
        errors.append(Error("AXES_ENABLED is False: sign-in lockout is off.", hint=HINT, id="reflect.E002"))
    middleware = list(settings.MIDDLEWARE)
    if AXES_MIDDLEWARE not in middleware:
        message = f"{AXES_MIDDLEWARE} is not in MIDDLEWARE: a locked-out sign-in gets no lockout answer."
        errors.append(Error(message, hint=HINT, id="reflect.E003"))
    elif middleware[-1] != AXES_MIDDLEWARE:
        message = f"{AXES_MIDDLEWARE} must be the last entry of MIDDLEWARE (not {middleware[-1]})."
        errors.append(Error(message, hint=HINT, id="reflect.E004"))
    backends = list(settings.AUTHENTICATION_BACKENDS)
    axes_at = [i for i, path in enumerate(backends) if _is_axes_backend(path)]
    if not axes_at:
        errors.append(
            Error(
                "No django-axes backend (axes.backends.AxesBackend) in AUTHENTICATION_BACKENDS: failed "
                "sign-ins are not counted and nobody is locked out.",
                hint=HINT,
                id="reflect.E005",
            )
        )
    elif axes_at[0] != 0:
        errors.append(
            Error(
                f"axes.backends.AxesBackend must be the first of AUTHENTICATION_BACKENDS (it is after "
                f"{backends[0]}): a locked-out person would still sign in with the right password.",
                hint=HINT,
                id="reflect.E006",
            )
        )
    return errors


@register()
def arcp_bank_holidays_are_dates(app_configs=None, **kwargs) -> list[Error]:
    """`ARCP_BANK_HOLIDAYS` must be ISO dates: a typo would otherwise surface as an error the
    first time a learner's appeal window is worked out."""
    try:
        parse_iso_dates(getattr(settings, "ARCP_BANK_HOLIDAYS", ()) or ())
    except (ValueError, TypeError) as exc:
        return [
            Error(
                f"ARCP_BANK_HOLIDAYS holds something that is not a date ({exc}).",
                hint="Give comma-separated ISO dates, e.g. 2026-12-25,2026-12-28.",
                id="reflect.E007",
            )
        ]
    return []
