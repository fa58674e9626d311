"""Settings shared by every environment. Values come from the environment.

See https://docs.djangoproject.com/en/5.2/ref/settings/ for each setting.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# --- Core ---------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
# The development key is public (it is right here): `runserver` refuses to serve anything but
# the loopback address with it (reflect/management/commands/runserver.py), and production
# settings refuse to start without a key of their own.
INSECURE_DEFAULT_SECRET_KEY = "dev-only-insecure-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # our apps
    "home",
    "reflect",
    "rubrics",
    "portfolio",
    "assessments",
    "feedback",
    "arcp",
    # wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # third party
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files, served as our own static files
    "django_tasks",
    "django_tasks_db",
    "axes",
    # django-allauth: sign-in, password reset, single sign-on (OpenID Connect, SAML 2.0),
    # two-factor (TOTP, recovery codes, WebAuthn) and "sign out everywhere".
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "allauth.mfa",
    "allauth.usersessions",
    # django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's session list
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Signs out a session idle for SESSION_IDLE_TIMEOUT_MINUTES (reflect/middleware.py).
    "reflect.middleware.SessionIdleTimeoutMiddleware",
    # Staff who must use two-factor sign-in reach nothing but their account pages until
    # they have set it up (REQUIRE_MFA_FOR_STAFF).
    "reflect.accounts.middleware.RequireStaffMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "reflect.middleware.SecurityHeadersMiddleware",
    "reflect.middleware.DomainErrorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Axes last: it turns repeated failed sign-ins into a lockout.
    "axes.middleware.AxesMiddleware",
]

# Overridable only so that bench/api_throughput.py can add its bare twin views (bench/urls_bench.py).
ROOT_URLCONF = os.environ.get("ROOT_URLCONF", "config.urls")
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "reflect.context_processors.roles",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: with server-side parameter binding psycopg prepares a statement
    # after it has run DB_PREPARE_THRESHOLD times on a connection, and PostgreSQL then skips
    # planning it (the scoped list queries spent more time being planned than running:
    # bench/api_throughput.py). They live as long as the connection, so they pay off with
    # CONN_MAX_AGE > 0. Behind PgBouncer in transaction mode (before 1.21, or without
    # max_prepared_statements) set DB_PREPARE_THRESHOLD to an empty value to turn them off.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#server-side-parameters-binding
    _threshold = os.environ.get("DB_PREPARE_THRESHOLD", "5").strip()
    if _threshold:
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=int(_threshold)
        )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a real embedded default (several threads of one server, or a task worker
    # beside it): write-ahead logging lets readers go on while one writes; IMMEDIATE takes
    # the write lock when a transaction starts, so a writer waits its turn (busy timeout)
    # instead of failing with "database is locked" when its read turns into a write.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-transaction-behavior
    # https://docs.djangoproject.com/en/5.2/ref/databases/#setting-pragma-options
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=int(os.environ.get("SQLITE_BUSY_TIMEOUT_SECONDS", "20")),
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth ---------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/auth/customizing/
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Sign-in with an e-mail address as well as a username.
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A signed-in session ends after this many minutes without a request (the reflection editor's
# autosave counts as activity); SESSION_COOKIE_AGE (two weeks) stays its absolute lifetime.
SESSION_IDLE_TIMEOUT_MINUTES = float(os.environ.get("SESSION_IDLE_TIMEOUT_MINUTES", "120"))
# A failed CSRF check is JSON for the API and the site's scripts (config/views.py).
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/portfolio/"
LOGOUT_REDIRECT_URL = "/"

# django-axes: lock an account+address after repeated failures.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Reverse proxies in front of the app that append the client's address to X-Forwarded-For
# (e.g. 1 for nginx or a load balancer). 0: X-Forwarded-For is ignored (anyone can send it).
# One rule (`reflect.http.client_ip`) for sign-in lockout, the feedback-link guess limiter
# and the API's per-address throttles.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "reflect.http.client_ip"
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The site's sign-in form (allauth's, field `login`: a username or an e-mail address), the API
# token endpoint (`username`) and refused single sign-on (the provider's e-mail) all count
# against the account's username, so one person has one counter whichever door is used.
AXES_USERNAME_CALLABLE = "reflect.accounts.lockout.username_for_lockout"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# JSON 429 for the API, the template for the site, `Retry-After` on both.
AXES_LOCKOUT_CALLABLE = "reflect.api.exceptions.lockout_response"

# --- Accounts: django-allauth -------------------------------------------------------------
# https://docs.allauth.org/en/latest/account/configuration.html
# The programme creates every account (CSV import, the admin, the command line): nobody signs
# up, and single sign-on never creates an account (reflect.accounts.adapters).
ACCOUNT_ADAPTER = "reflect.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "reflect.accounts.adapters.SocialAccountAdapter"
ACCOUNT_FORMS = {
    "login": "reflect.accounts.forms.SignInForm",
    "reset_password": "reflect.accounts.forms.ResetPasswordForm",
    "reset_password_from_key": "reflect.accounts.forms.ResetPasswordKeyForm",
    "change_password": "reflect.accounts.forms.ChangePasswordForm",
    "set_password": "reflect.accounts.forms.SetPasswordForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"  # addresses are set by the programme, not by the person
ACCOUNT_UNIQUE_EMAIL = True  # required for e-mail sign-in; matching stays careful (sso.py)
ACCOUNT_SESSION_REMEMBER = True  # sessions last SESSION_COOKIE_AGE, as before
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # the person stays signed in here; other sessions end
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False  # a reset ends with "sign in with your new password"
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Reflect: "
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
# Rate limits of allauth's own doors (password-reset requests, the reset link, password
# change, ...). Failed sign-ins are counted by django-axes alone (see AXES_* above): allauth's
# `login_failed` limit is off so that one lockout rule, with one message, covers the site
# form, the API token endpoint and single sign-on.
ACCOUNT_RATE_LIMITS = {
    "login_failed": None,
    "reset_password": os.environ.get("ACCOUNT_RATE_RESET_PASSWORD", "20/m/ip,5/m/key"),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True  # a reset asked for an unknown address gets a plain note

SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching by e-mail is ours (reflect.accounts.sso)
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # a POST (with CSRF token) starts single sign-on
SOCIALACCOUNT_REQUESTS_TIMEOUT = int(os.environ.get("SSO_REQUESTS_TIMEOUT", "10"))
# Single sign-on is off until providers are configured: OIDC_PROVIDERS / SAML_PROVIDERS and
# their variables (README, "Single sign-on and two-factor"); see reflect/accounts/sso_settings.py.
from reflect.accounts.sso_settings import form_action_origins, providers_from_env  # noqa: E402

SOCIALACCOUNT_PROVIDERS = providers_from_env(os.environ)
# Starting single sign-on is a form POST answered by a redirect to the provider, which the
# CSP's form-action must allow: the providers' origins, plus any in SSO_FORM_ACTION_ORIGINS.
CSP_FORM_ACTION_EXTRA = form_action_origins(
    SOCIALACCOUNT_PROVIDERS, os.environ.get("SSO_FORM_ACTION_ORIGINS", "")
)

# Two-factor sign-in (allauth.mfa): an authenticator app (TOTP) with recovery codes. Offered
# to everyone; required for the roles in MFA_REQUIRED_ROLES when REQUIRE_MFA_FOR_STAFF is on
# (default on in production). allauth also offers security keys (WebAuthn): not enabled yet,
# its pages carry inline script configuration that the site's CSP test refuses.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Reflect")
MFA_PASSKEY_LOGIN_ENABLED = False
REQUIRE_MFA_FOR_STAFF = env_bool("REQUIRE_MFA_FOR_STAFF", False)
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", "admin,examiner")

# Sessions are recorded when someone signs in (every sign-in goes through allauth), not on
# every request: "sign out everywhere" ends them all without a write per page view.
USERSESSIONS_TRACK_ACTIVITY = False

# Invitations: the one-time link a person created by the programme gets to set a password.
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))
# The site's address in e-mailed links when there is no request to take it from (the command
# line, background jobs). Defaults to WAGTAILADMIN_BASE_URL.
SITE_BASE_URL = os.environ.get("SITE_BASE_URL", "")

# --- i18n ---------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/howto/static-files/
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- E-mail -------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/email/
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portfolio@localhost")

# --- Wagtail ------------------------------------------------------------------------------
# https://docs.wagtail.org/en/v7.4/reference/settings.html
WAGTAIL_SITE_NAME = os.environ.get("WAGTAIL_SITE_NAME", "Reflect: social accountability portfolio")
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
# The admin signs in through the site's sign-in page (lockout, single sign-on, two-factor);
# passwords are set and changed there too (invitations, "forgotten password", "my account"),
# so Wagtail's own password screens are off. People added in the admin need no password:
# they get an invitation (reflect/wagtail_hooks.py).
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_REQUIRED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "json"]
# No avatars from gravatar.com: the admin loads nothing from other sites (its CSP forbids it)
# and sends no hash of anyone's e-mail address there.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor a check for new Wagtail releases from the admin's dashboard (the CSP refuses it too).
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Background tasks (django-tasks) ------------------------------------------------------
# Database queue by default; `python manage.py db_worker` runs a worker.
TASKS = {"default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# --- API ----------------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
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
    # views that take a file (exports/verify, attachments) name the multipart parser themselves
    # (reflect.api.parsers.MultiPartParser, with the upload limit). Anything else → 415, and the
    # schema advertises JSON only.
    "DEFAULT_PARSER_CLASSES": ["reflect.api.parsers.JSONParser"],
    # `?format=` must name one of the view's renderers, else 400 (reflect/api/negotiation.py).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "reflect.api.negotiation.StrictContentNegotiation",
    "EXCEPTION_HANDLER": "reflect.api.exceptions.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # DRF's anonymous throttles read the client address with the same rule as client_ip().
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("API_THROTTLE_ANON", "60/minute"),
        "user": os.environ.get("API_THROTTLE_USER", "1200/minute"),
        "login": os.environ.get("API_THROTTLE_LOGIN", "10/minute"),
        "feedback": os.environ.get("API_THROTTLE_FEEDBACK", "20/minute"),
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
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reflect.api.schema.standard_error_responses",
    ],
}

CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": os.environ.get("CACHE_LOCATION", "reflect"),
    }
}

# API tokens (reflect.tokens): each `POST /api/v1/auth/token/` issues a new one, valid this
# many hours; a person holds at most API_TOKEN_MAX_PER_USER live tokens (the oldest go first).
API_TOKEN_TTL_HOURS = float(os.environ.get("API_TOKEN_TTL_HOURS", "24"))
API_TOKEN_MAX_PER_USER = int(os.environ.get("API_TOKEN_MAX_PER_USER", "10"))

# --- Product settings ---------------------------------------------------------------------
FEEDBACK_LINK_DAYS = int(os.environ.get("FEEDBACK_LINK_DAYS", "14"))
# Guessing feedback links: after this many unknown tokens from one address within the window
# (seconds), the public feedback page and API answer 429 with Retry-After.
FEEDBACK_GUESS_LIMIT = int(os.environ.get("FEEDBACK_GUESS_LIMIT", "20"))
FEEDBACK_GUESS_WINDOW = int(os.environ.get("FEEDBACK_GUESS_WINDOW", "600"))

# Uploads (issue #13): the most bytes each door accepts. A request over its limit is refused
# (413) before its body is read, by `reflect.uploads`; files are hashed in chunks.
mib = 1024 * 1024  # lower case: not a setting
ARCP_VERIFY_MAX_BYTES = int(os.environ.get("ARCP_VERIFY_MAX_BYTES", str(10 * mib)))  # packs: KB to a few MB
CSV_IMPORT_MAX_BYTES = int(os.environ.get("CSV_IMPORT_MAX_BYTES", str(2 * mib)))
RUBRIC_IMPORT_MAX_BYTES = int(os.environ.get("RUBRIC_IMPORT_MAX_BYTES", str(mib)))
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * mib)))  # contract v1.1: 10 MB
# JSON and form bodies of the API are at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes (Django's
# setting, 2.5 MB by default; 413 above) and JSON nests at most this deep (400 deeper).
API_JSON_MAX_DEPTH = int(os.environ.get("API_JSON_MAX_DEPTH", "32"))
