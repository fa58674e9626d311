"""The apps as a plugin: one settings helper (`reflect.settings`) and the lockout system check.

A `wagtail start` site's settings, completed by `configure()`, get our apps once each (its
`django_filters` is not added twice), allauth's, our and django-axes' middleware in their
places, django-axes' backend first and every setting the apps read; the same helper makes this
repository's own settings. The check (`reflect.checks`) fails a site whose lockout is not wired:
django-axes' middleware or backend missing or misordered, or AXES_ENABLED off.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from reflect import settings as plugin
from reflect.checks import lockout_is_wired

AXES_MW = "axes.middleware.AxesMiddleware"
AXES_BACKEND = "axes.backends.AxesBackend"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"

# What `wagtail start` (Wagtail 7.4) writes in mysite/settings/base.py.
WAGTAIL_START_APPS = [
    "home",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
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
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
WAGTAIL_START_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]
WAGTAIL_START_TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": ["/site/templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


def wagtail_start_site(**extra):
    namespace = {
        "INSTALLED_APPS": list(WAGTAIL_START_APPS),
        "MIDDLEWARE": list(WAGTAIL_START_MIDDLEWARE),
        "TEMPLATES": [dict(t) for t in WAGTAIL_START_TEMPLATES],
        "WAGTAIL_SITE_NAME": "mysite",
        **extra,
    }
    plugin.configure(namespace)
    return namespace


def ids(errors):
    return [e.id for e in errors]


# --- The helper --------------------------------------------------------------------------


def test_a_wagtail_start_site_gets_every_app_once_ours_before_wagtails():
    apps = wagtail_start_site()["INSTALLED_APPS"]
    assert len(apps) == len(set(apps)), "an app twice"
    assert apps.count("django_filters") == 1
    for app in [*plugin.APPS, *plugin.REQUIRED_APPS]:
        assert app in apps, app
    # The site's own apps first (its templates win), then ours, before Wagtail's and allauth's
    # (our templates override theirs), bottom layer first.
    assert apps[:2] == ["home", "search"]
    assert apps[2:8] == ["reflect", "rubrics", "portfolio", "assessments", "feedback", "arcp"]
    assert apps.index("arcp") < apps.index("wagtail.admin") < apps.index("allauth.account")


def test_middleware_in_place_and_axes_last():
    mw = wagtail_start_site()["MIDDLEWARE"]
    assert mw[-1] == AXES_MW
    order = [
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "allauth.account.middleware.AccountMiddleware",
        "allauth.usersessions.middleware.UserSessionsMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "reflect.middleware.SessionIdleTimeoutMiddleware",
        "reflect.accounts.middleware.RequireStaffMFAMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "reflect.middleware.SecurityHeadersMiddleware",
        "reflect.middleware.DomainErrorMiddleware",
        AXES_MW,
    ]
    assert [m for m in mw if m in order] == order
    assert len(mw) == len(set(mw))


def test_backends_axes_first_then_the_sites_then_allauths():
    assert wagtail_start_site()["AUTHENTICATION_BACKENDS"] == [
        AXES_BACKEND,
        MODEL_BACKEND,
        "allauth.account.auth_backends.AuthenticationBackend",
    ]
    # A site that listed axes after its own backend gets it moved first.
    namespace = wagtail_start_site(AUTHENTICATION_BACKENDS=[MODEL_BACKEND, AXES_BACKEND])
    assert namespace["AUTHENTICATION_BACKENDS"][:2] == [AXES_BACKEND, MODEL_BACKEND]


def test_rest_framework_needs_no_setting_the_site_lacks():
    namespace = wagtail_start_site()
    assert namespace["TRUSTED_PROXY_COUNT"] == 0
    assert namespace["REST_FRAMEWORK"]["NUM_PROXIES"] == 0
    assert namespace["REST_FRAMEWORK"]["EXCEPTION_HANDLER"] == "reflect.api.exceptions.exception_handler"
    # A site's own value is kept and used.
    namespace = wagtail_start_site(TRUSTED_PROXY_COUNT=1, WAGTAIL_PASSWORD_RESET_ENABLED=False)
    assert namespace["REST_FRAMEWORK"]["NUM_PROXIES"] == 1


def test_every_setting_the_apps_read_is_set_and_the_sites_own_win():
    namespace = wagtail_start_site(AXES_FAILURE_LIMIT=3)
    assert namespace["AXES_FAILURE_LIMIT"] == 3
    assert namespace["WAGTAIL_SITE_NAME"] == "mysite"
    for name in ("LOGIN_URL", "AXES_LOCKOUT_CALLABLE", "ACCOUNT_ADAPTER", "SPECTACULAR_SETTINGS", "TASKS"):
        assert name in namespace, name
    processors = namespace["TEMPLATES"][0]["OPTIONS"]["context_processors"]
    assert processors.count("reflect.context_processors.roles") == 1
    assert processors.count("django.template.context_processors.request") == 1


def test_configure_twice_changes_nothing():
    once = wagtail_start_site()
    twice = dict(once)
    plugin.configure(twice)
    for name in ("INSTALLED_APPS", "MIDDLEWARE", "AUTHENTICATION_BACKENDS", "TEMPLATES"):
        assert twice[name] == once[name], name


def test_this_repositorys_settings_come_from_the_same_helper():
    """One source: our own site's lists are what the helper makes of its Django/Wagtail ones."""
    from config.settings import base

    assert base.MIDDLEWARE[-1] == AXES_MW
    assert base.MIDDLEWARE == plugin.middleware(base.MIDDLEWARE)
    assert base.INSTALLED_APPS == plugin.installed_apps(base.INSTALLED_APPS)
    assert base.AUTHENTICATION_BACKENDS == plugin.authentication_backends(base.AUTHENTICATION_BACKENDS)
    assert base.REST_FRAMEWORK == plugin.rest_framework(base.TRUSTED_PROXY_COUNT)


def test_a_site_without_sessions_or_auth_middleware_is_told():
    with pytest.raises(ValueError, match="AuthenticationMiddleware"):
        plugin.middleware(["django.contrib.sessions.middleware.SessionMiddleware"])


# --- The lockout check -------------------------------------------------------------------


def test_our_settings_pass_the_check():
    assert lockout_is_wired() == []
    call_command("check", "--fail-level", "ERROR")


def test_a_configured_wagtail_start_site_passes(settings):
    namespace = wagtail_start_site()
    settings.MIDDLEWARE = namespace["MIDDLEWARE"]
    settings.AUTHENTICATION_BACKENDS = namespace["AUTHENTICATION_BACKENDS"]
    assert lockout_is_wired() == []


def test_without_axes_middleware_the_check_fails(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != AXES_MW]
    assert ids(lockout_is_wired()) == ["reflect.E003"]
    with pytest.raises(SystemCheckError, match="reflect.E003"):
        call_command("check")


def test_axes_middleware_not_last_fails(settings):
    mw = [m for m in settings.MIDDLEWARE if m != AXES_MW]
    settings.MIDDLEWARE = [*mw[:3], AXES_MW, *mw[3:]]
    assert ids(lockout_is_wired()) == ["reflect.E004"]


def test_without_axes_backend_the_check_fails(settings):
    settings.AUTHENTICATION_BACKENDS = [b for b in settings.AUTHENTICATION_BACKENDS if b != AXES_BACKEND]
    errors = lockout_is_wired()
    assert ids(errors) == ["reflect.E005"] and errors[0].is_serious()  # an error, not a warning
    with pytest.raises(SystemCheckError, match="reflect.E005"):
        call_command("check")


def test_axes_backend_after_another_fails(settings):
    settings.AUTHENTICATION_BACKENDS = [MODEL_BACKEND, AXES_BACKEND]
    assert ids(lockout_is_wired()) == ["reflect.E006"]


def test_the_readme_steps_without_axes_fail(settings):
    """The old README's steps: apps added by hand, no axes middleware nor backend."""
    settings.MIDDLEWARE = list(WAGTAIL_START_MIDDLEWARE)
    settings.AUTHENTICATION_BACKENDS = [MODEL_BACKEND]
    assert ids(lockout_is_wired()) == ["reflect.E003", "reflect.E005"]


def test_lockout_switched_off_fails(settings):
    settings.AXES_ENABLED = False
    assert ids(lockout_is_wired()) == ["reflect.E002"]
