"""Test settings: fast hashing, in-memory mail, no lockout noise between tests."""

from .base import *  # noqa: F401,F403
from .base import REST_FRAMEWORK

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# High enough that ordinary tests never meet the limits; throttle tests override them.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "anon": "10000/minute",
        "user": "100000/minute",
        "login": "10000/minute",
        "feedback": "10000/minute",
    },
}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# One media folder per pytest-xdist worker: tests that count the files a request stored
# (tests/arcp/test_pack_reuse.py) must not see another worker's packs arrive meanwhile.
MEDIA_ROOT = BASE_DIR / "test-media" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # noqa: F405
# Sign-in forms are posted many times a minute by the suite from one address; the tests of
# allauth's own limits turn them back on.
ACCOUNT_RATE_LIMITS = False
REQUIRE_MFA_FOR_STAFF = False
