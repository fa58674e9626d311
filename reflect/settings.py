"""The settings a Wagtail site needs to run the Reflect apps: the one place they come from.

This repository's own site (`config/settings/base.py`) and any host site use it the same way,
at the end of the settings module, once INSTALLED_APPS, MIDDLEWARE and TEMPLATES exist:

    from reflect.settings import configure

    configure(globals())

`configure` then

- adds our apps to INSTALLED_APPS before Wagtail's (our templates override Wagtail's,
  django-allauth's and Django's where they share a name), and after the site's own apps
  (the site's templates still win), and appends the apps they need that the site lacks,
  each once (a `wagtail start` site already has `django_filters`, `wagtail`, `taggit`...);
- puts django-allauth's middleware, ours (idle timeout, staff two-factor, security headers,
  domain errors) and django-axes' (last) at their places in MIDDLEWARE;
- makes django-axes' backend the first in AUTHENTICATION_BACKENDS (a locked-out person is
  refused before any other backend checks the password), with allauth's (e-mail sign-in);
- adds our context processor to the Django template engine;
- sets every other setting the apps read, unless the site has set it before the call (the
  site's value wins). Their values come from environment variables, listed in the README
  ("Configuration and production"); e.g. TRUSTED_PROXY_COUNT is 0 unless set.

Pure Python apart from our own single sign-on reader (no Django import): it runs while
settings load. `reflect.checks` refuses to start (a system check error) a site where
django-axes is missing or misordered, whatever its settings say.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from typing import Any

from reflect.accounts.sso_settings import form_action_origins, providers_from_env

# Our apps, bottom layer first.
APPS = ["reflect", "rubrics", "portfolio", "assessments", "feedback", "arcp"]

# What the apps need besides a `wagtail start` site's apps, in order.
REQUIRED_APPS = [
    "wagtail.contrib.routable_page",  # PortfolioPage
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our own static files
    "django_tasks",
    "django_tasks_db",
    "axes",
    # django-allauth: sign-in, password reset, single sign-on (OpenID Connect, SAML 2.0),
    # two-factor (TOTP, recovery codes) and "sign out everywhere".
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "allauth.usersessions",
    "django.contrib.humanize",  # allauth's session list
    # The reflection editor (Tiptap/ProseMirror): its scripts and styles are static files of
    # the package, collected with ours (no CDN); portfolio/static/portfolio/js/reflection-editor.js
    # loads them and limits the editor to what reflect.sanitize keeps.
    "django_prose_editor",
]

AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
MESSAGE_MIDDLEWARE = "django.contrib.messages.middleware.MessageMiddleware"
XFRAME_MIDDLEWARE = "django.middleware.clickjacking.XFrameOptionsMiddleware"
AXES_MIDDLEWARE = "axes.middleware.AxesMiddleware"
AXES_BACKEND = "axes.backends.AxesBackend"

SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"
# (the middleware of Django's they go right after, ours and allauth's in order). The anchors
# are in every `wagtail start` site; without XFrameOptionsMiddleware the last group goes
# right after the one before it.
MIDDLEWARE_AFTER = [
    (
        AUTH_MIDDLEWARE,
        [
            "allauth.account.middleware.AccountMiddleware",
            "allauth.usersessions.middleware.UserSessionsMiddleware",
        ],
    ),
    (
        MESSAGE_MIDDLEWARE,
        [
            # Signs out a session idle for SESSION_IDLE_TIMEOUT_MINUTES (reflect/middleware.py).
            "reflect.middleware.SessionIdleTimeoutMiddleware",
            # Staff who must use two-factor sign-in reach nothing but their account pages until
            # they have set it up (REQUIRE_MFA_FOR_STAFF).
            "reflect.accounts.middleware.RequireStaffMFAMiddleware",
        ],
    ),
    (
        XFRAME_MIDDLEWARE,
        [
            # Content-Security-Policy, Cache-Control: no-store for personal data.
            "reflect.middleware.SecurityHeadersMiddleware",
            # A domain NotFound is the site's 404.
            "reflect.middleware.DomainErrorMiddleware",
        ],
    ),
]
CONTEXT_PROCESSORS = ["django.template.context_processors.request", "reflect.context_processors.roles"]


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Lists the site already has: merged ------------------------------------------------------


def installed_apps(site_apps: list[str]) -> list[str]:
    """The site's INSTALLED_APPS with ours before Wagtail's and the required ones appended,
    none twice."""
    apps = [app for app in site_apps if app not in APPS]
    first_wagtail = next((i for i, app in enumerate(apps) if app.split(".")[0] == "wagtail"), len(apps))
    apps[first_wagtail:first_wagtail] = APPS
    apps += [app for app in REQUIRED_APPS if app not in apps]
    return apps


def middleware(site_middleware: list[str]) -> list[str]:
    """The site's MIDDLEWARE with allauth's and ours at their places and django-axes' last."""
    ours = {name for _, group in MIDDLEWARE_AFTER for name in group} | {AXES_MIDDLEWARE}
    result = [name for name in site_middleware if name not in ours]
    for required in (SESSION_MIDDLEWARE, AUTH_MIDDLEWARE, MESSAGE_MIDDLEWARE):
        if required not in result:
            raise ValueError(f"MIDDLEWARE must hold {required} (a `wagtail start` site has it).")
    previous = None
    for anchor, group in MIDDLEWARE_AFTER:
        at = result.index(anchor if anchor in result else previous) + 1
        result[at:at] = group
        previous = group[-1]
    # django-axes: "AxesMiddleware should be the last middleware in the MIDDLEWARE list".
    result.append(AXES_MIDDLEWARE)
    return result


def authentication_backends(site_backends: list[str] | None = None) -> list[str]:
    """django-axes' backend first, then the site's (Django's ModelBackend by default), then
    allauth's (sign-in with an e-mail address as well as a username)."""
    backends = list(site_backends or ["django.contrib.auth.backends.ModelBackend"])
    backends = [b for b in backends if b != AXES_BACKEND]
    allauth = "allauth.account.auth_backends.AuthenticationBackend"
    return [AXES_BACKEND, *backends, *([allauth] if allauth not in backends else [])]


def templates(site_templates: list[dict]) -> list[dict]:
    """The site's TEMPLATES with our context processor in each Django template engine."""
    result = []
    for engine in site_templates:
        engine = {**engine, "OPTIONS": dict(engine.get("OPTIONS", {}))}
        if engine.get("BACKEND") == "django.template.backends.django.DjangoTemplates":
            processors = list(engine["OPTIONS"].get("context_processors", []))
            processors += [p for p in CONTEXT_PROCESSORS if p not in processors]
            engine["OPTIONS"]["context_processors"] = processors
        result.append(engine)
    return result


# --- Settings of the apps: set unless the site has them ---------------------------------------


def rest_framework(trusted_proxy_count: int = 0) -> dict:
    """The API's settings (https://www.django-rest-framework.org/api-guide/settings/)."""
    return {
        "DEFAULT_AUTHENTICATION_CLASSES": [
            "reflect.api.authentication.TokenAuthentication",
            "reflect.api.authentication.SessionAuthentication",
        ],
        "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
        "DEFAULT_PAGINATION_CLASS": "reflect.api.pagination.PageNumberPagination",
        "PAGE_SIZE": 50,
        "DEFAULT_FILTER_BACKENDS": ["reflect.api.filters.FilterBackend"],
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        # JSON in (api-contract.md), within size and depth limits (issue #13, reflect.api.parsers);
        # views that take a file (exports/verify, attachments) name the multipart parser
        # themselves (reflect.api.parsers.MultiPartParser, with the upload limit). Anything
        # else → 415, and the schema advertises JSON only.
        "DEFAULT_PARSER_CLASSES": ["reflect.api.parsers.JSONParser"],
        # `?format=` must name one of the view's renderers, else 400 (reflect/api/negotiation.py).
        "DEFAULT_CONTENT_NEGOTIATION_CLASS": "reflect.api.negotiation.StrictContentNegotiation",
        "EXCEPTION_HANDLER": "reflect.api.exceptions.exception_handler",
        "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
        # DRF's anonymous throttles read the client address with the same rule as client_ip().
        "NUM_PROXIES": trusted_proxy_count,
        "DEFAULT_THROTTLE_CLASSES": [
            "rest_framework.throttling.AnonRateThrottle",
            "rest_framework.throttling.UserRateThrottle",
        ],
        "DEFAULT_THROTTLE_RATES": {
            "anon": _env("API_THROTTLE_ANON", "60/minute"),
            "user": _env("API_THROTTLE_USER", "1200/minute"),
            "login": _env("API_THROTTLE_LOGIN", "10/minute"),
            "feedback": _env("API_THROTTLE_FEEDBACK", "20/minute"),
        },
        "TEST_REQUEST_DEFAULT_FORMAT": "json",
    }


SPECTACULAR_SETTINGS = {
    "TITLE": "Reflect portfolio API",
    "DESCRIPTION": "Examiner and integration API, contract v1.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # /api/v1/docs/: Swagger UI from drf-spectacular-sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["reflect.api.schema.only_public_api"],
    # One name for the respondent's role, whether a field is called `respondent_role` or
    # `roles` (the link's choices): otherwise the schema gets two names for one set.
    "ENUM_NAME_OVERRIDES": {"RespondentRoleEnum": "feedback.models.Feedback.RespondentRole"},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reflect.api.schema.standard_error_responses",
    ],
}


def app_settings(trusted_proxy_count: int) -> dict[str, Any]:
    """Every other setting the apps read, from the environment."""
    mib = 1024 * 1024
    providers = providers_from_env(os.environ)
    return {
        # --- Sign-in and sessions -------------------------------------------------------
        "LOGIN_URL": "account_login",
        "LOGIN_REDIRECT_URL": "/portfolio/",  # the PortfolioPage (seed_demo's slug)
        "LOGOUT_REDIRECT_URL": "/",
        # A signed-in session ends after this many minutes without a request (the reflection
        # editor's autosave counts as activity); SESSION_COOKIE_AGE stays its absolute lifetime.
        "SESSION_IDLE_TIMEOUT_MINUTES": float(_env("SESSION_IDLE_TIMEOUT_MINUTES", "120")),
        # A failed CSRF check is JSON for the API and the site's scripts.
        "CSRF_FAILURE_VIEW": "reflect.error_views.csrf_failure",
        # --- django-axes: lock an account+address after repeated failures ----------------
        # https://django-axes.readthedocs.io/en/latest/4_configuration.html
        # One rule (`reflect.http.client_ip`, reading TRUSTED_PROXY_COUNT) for sign-in
        # lockout, the feedback-link guess limiter and the API's per-address throttles.
        "AXES_CLIENT_IP_CALLABLE": "reflect.http.client_ip",
        "AXES_FAILURE_LIMIT": int(_env("AXES_FAILURE_LIMIT", "5")),
        "AXES_COOLOFF_TIME": float(_env("AXES_COOLOFF_HOURS", "0.25")),  # hours
        "AXES_LOCKOUT_PARAMETERS": [["username", "ip_address"]],
        # The site's sign-in form (allauth's, field `login`: a username or an e-mail address),
        # the API token endpoint (`username`) and refused single sign-on (the provider's
        # e-mail) all count against the account's username: one counter whichever door.
        "AXES_USERNAME_CALLABLE": "reflect.accounts.lockout.username_for_lockout",
        "AXES_RESET_ON_SUCCESS": True,
        "AXES_LOCKOUT_TEMPLATE": "registration/locked_out.html",
        # JSON 429 for the API, the template for the site, `Retry-After` on both.
        "AXES_LOCKOUT_CALLABLE": "reflect.api.exceptions.lockout_response",
        # --- django-allauth ---------------------------------------------------------------
        # https://docs.allauth.org/en/latest/account/configuration.html
        # The programme creates every account (CSV import, the admin, the command line):
        # nobody signs up, and single sign-on never creates an account (reflect.accounts.adapters).
        "ACCOUNT_ADAPTER": "reflect.accounts.adapters.AccountAdapter",
        "SOCIALACCOUNT_ADAPTER": "reflect.accounts.adapters.SocialAccountAdapter",
        "ACCOUNT_FORMS": {
            "login": "reflect.accounts.forms.SignInForm",
            "reset_password": "reflect.accounts.forms.ResetPasswordForm",
            "reset_password_from_key": "reflect.accounts.forms.ResetPasswordKeyForm",
            "change_password": "reflect.accounts.forms.ChangePasswordForm",
            "set_password": "reflect.accounts.forms.SetPasswordForm",
        },
        "ACCOUNT_LOGIN_METHODS": {"username", "email"},
        "ACCOUNT_SIGNUP_FIELDS": ["email", "username*", "password1*", "password2*"],
        "ACCOUNT_EMAIL_VERIFICATION": "none",  # addresses are set by the programme
        "ACCOUNT_UNIQUE_EMAIL": True,  # required for e-mail sign-in; matching stays careful (sso.py)
        "ACCOUNT_SESSION_REMEMBER": True,  # sessions last SESSION_COOKIE_AGE
        "ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE": False,  # the person stays signed in; other sessions end
        "ACCOUNT_LOGIN_ON_PASSWORD_RESET": False,  # a reset ends with "sign in with your new password"
        "ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED": False,
        "ACCOUNT_EMAIL_SUBJECT_PREFIX": "Reflect: ",
        "ACCOUNT_LOGOUT_REDIRECT_URL": "/",
        # Rate limits of allauth's own doors. Failed sign-ins are counted by django-axes
        # alone: allauth's `login_failed` limit is off so that one lockout rule, with one
        # message, covers the site form, the API token endpoint and single sign-on.
        "ACCOUNT_RATE_LIMITS": {
            "login_failed": None,
            "reset_password": _env("ACCOUNT_RATE_RESET_PASSWORD", "20/m/ip,5/m/key"),
            "reset_password_from_key": "20/m/ip",
            "change_password": "5/m/user",
            "reauthenticate": "10/m/user",
        },
        "ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS": True,  # a reset for an unknown address gets a plain note
        "SOCIALACCOUNT_ONLY": False,
        "SOCIALACCOUNT_AUTO_SIGNUP": False,
        "SOCIALACCOUNT_EMAIL_AUTHENTICATION": False,  # matching by e-mail is ours (reflect.accounts.sso)
        "SOCIALACCOUNT_STORE_TOKENS": False,
        "SOCIALACCOUNT_LOGIN_ON_GET": False,  # a POST (with CSRF token) starts single sign-on
        "SOCIALACCOUNT_REQUESTS_TIMEOUT": int(_env("SSO_REQUESTS_TIMEOUT", "10")),
        # Single sign-on is off until providers are configured: OIDC_PROVIDERS / SAML_PROVIDERS
        # (README, "Single sign-on and two-factor"; reflect/accounts/sso_settings.py).
        "SOCIALACCOUNT_PROVIDERS": providers,
        # Starting single sign-on is a form POST answered by a redirect to the provider, which
        # the CSP's form-action must allow: the providers' origins and SSO_FORM_ACTION_ORIGINS.
        "CSP_FORM_ACTION_EXTRA": form_action_origins(providers, _env("SSO_FORM_ACTION_ORIGINS", "")),
        # Two-factor sign-in (allauth.mfa): an authenticator app (TOTP) with recovery codes.
        # Offered to everyone; required for MFA_REQUIRED_ROLES when REQUIRE_MFA_FOR_STAFF is on.
        # Security keys (WebAuthn) are not enabled yet: allauth's pages carry inline script
        # configuration that the site's CSP refuses.
        "MFA_SUPPORTED_TYPES": ["totp", "recovery_codes"],
        "MFA_TOTP_ISSUER": _env("MFA_TOTP_ISSUER", "Reflect"),
        "MFA_PASSKEY_LOGIN_ENABLED": False,
        "REQUIRE_MFA_FOR_STAFF": _env_bool("REQUIRE_MFA_FOR_STAFF", False),
        "MFA_REQUIRED_ROLES": _env_list("MFA_REQUIRED_ROLES", "admin,examiner"),
        # Sessions are recorded at sign-in (every sign-in goes through allauth), not on every
        # request: "sign out everywhere" ends them all without a write per page view.
        "USERSESSIONS_TRACK_ACTIVITY": False,
        # Invitations: the one-time link a person created by the programme gets to set a password.
        "INVITATION_DAYS": int(_env("INVITATION_DAYS", "7")),
        # The site's address in e-mailed links sent without a request (command line, jobs).
        # Empty: WAGTAILADMIN_BASE_URL.
        "SITE_BASE_URL": _env("SITE_BASE_URL", ""),
        # --- Wagtail ----------------------------------------------------------------------
        # The admin signs in through the site's sign-in page (lockout, single sign-on,
        # two-factor); passwords are set and changed there too, so Wagtail's own password
        # screens are off. People added in the admin get an invitation (reflect/wagtail_hooks.py).
        "WAGTAILADMIN_LOGIN_URL": "account_login",
        "WAGTAIL_PASSWORD_MANAGEMENT_ENABLED": False,
        "WAGTAIL_PASSWORD_RESET_ENABLED": False,
        "WAGTAILUSERS_PASSWORD_REQUIRED": False,
        # No avatars from gravatar.com nor a check for new Wagtail releases: the admin loads
        # nothing from other sites (its CSP forbids it).
        "WAGTAIL_GRAVATAR_PROVIDER_URL": None,
        "WAGTAIL_ENABLE_UPDATE_CHECK": False,
        # --- Background tasks (django-tasks): database queue; `manage.py db_worker` runs one.
        "TASKS": {"default": {"BACKEND": _env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}},
        # --- API ----------------------------------------------------------------------------
        "REST_FRAMEWORK": rest_framework(trusted_proxy_count),
        "SPECTACULAR_SETTINGS": SPECTACULAR_SETTINGS,
        # API tokens (reflect.tokens): valid this many hours; at most this many live per person.
        "API_TOKEN_TTL_HOURS": float(_env("API_TOKEN_TTL_HOURS", "24")),
        "API_TOKEN_MAX_PER_USER": int(_env("API_TOKEN_MAX_PER_USER", "10")),
        # --- Product --------------------------------------------------------------------------
        "FEEDBACK_LINK_DAYS": int(_env("FEEDBACK_LINK_DAYS", "14")),
        # A submitted reflection unreviewed this long counts as overdue (admin home page).
        "REFLECT_REVIEW_OVERDUE_DAYS": int(_env("REFLECT_REVIEW_OVERDUE_DAYS", "14")),
        # ARCP review and appeal requests: a learner may ask within ARCP_APPEAL_WORKING_DAYS
        # working days of the outcome being recorded (the Gold Guide's 10). Weekends never
        # count; ARCP_BANK_HOLIDAYS lists the other closed days as comma-separated ISO dates
        # (e.g. England and Wales': https://www.gov.uk/bank-holidays). Default: none.
        "ARCP_APPEAL_WORKING_DAYS": int(_env("ARCP_APPEAL_WORKING_DAYS", "10")),
        "ARCP_BANK_HOLIDAYS": _env_list("ARCP_BANK_HOLIDAYS", ""),
        # Guessing feedback links: after this many unknown tokens from one address within the
        # window (seconds), the public feedback page and API answer 429 with Retry-After.
        "FEEDBACK_GUESS_LIMIT": int(_env("FEEDBACK_GUESS_LIMIT", "20")),
        "FEEDBACK_GUESS_WINDOW": int(_env("FEEDBACK_GUESS_WINDOW", "600")),
        # Uploads (issue #13): the most bytes each door accepts, refused (413) before the body
        # is read (reflect.uploads); files are hashed in chunks.
        "ARCP_VERIFY_MAX_BYTES": int(_env("ARCP_VERIFY_MAX_BYTES", str(10 * mib))),
        "CSV_IMPORT_MAX_BYTES": int(_env("CSV_IMPORT_MAX_BYTES", str(2 * mib))),
        "RUBRIC_IMPORT_MAX_BYTES": int(_env("RUBRIC_IMPORT_MAX_BYTES", str(mib))),
        "ATTACHMENT_MAX_BYTES": int(_env("ATTACHMENT_MAX_BYTES", str(10 * mib))),  # contract v1.1
        # JSON and form bodies of the API are at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes
        # (Django's, 2.5 MB by default; 413 above) and JSON nests at most this deep (400 deeper).
        "API_JSON_MAX_DEPTH": int(_env("API_JSON_MAX_DEPTH", "32")),
    }


def configure(namespace: MutableMapping[str, Any]) -> None:
    """Complete a settings module's namespace (pass `globals()`) for the Reflect apps."""
    # Reverse proxies in front that append the client's address to X-Forwarded-For (e.g. 1
    # for nginx or a load balancer). 0: X-Forwarded-For is ignored (anyone can send it).
    proxies = namespace.setdefault("TRUSTED_PROXY_COUNT", int(_env("TRUSTED_PROXY_COUNT", "0")))
    namespace["INSTALLED_APPS"] = installed_apps(list(namespace["INSTALLED_APPS"]))
    namespace["MIDDLEWARE"] = middleware(list(namespace["MIDDLEWARE"]))
    namespace["AUTHENTICATION_BACKENDS"] = authentication_backends(namespace.get("AUTHENTICATION_BACKENDS"))
    namespace["TEMPLATES"] = templates(list(namespace["TEMPLATES"]))
    for name, value in app_settings(proxies).items():
        namespace.setdefault(name, value)
