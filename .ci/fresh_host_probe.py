"""Run inside a fresh `wagtail start` site with the wheel installed (by .ci/fresh_host.py):

    DJANGO_SETTINGS_MODULE=mysite.settings.dev python fresh_host_probe.py demo.json

Through Django's test client on the site's own database (what `seed_demo` made), with CSRF
checks on as in a browser: every demo role signs in on the apps' sign-in page and gets its
dashboard; the admin gets the Wagtail admin and the apps' admin screens; the public feedback
page opens from a demo link; an API list and an ARCP pack (a PDF) come back; sign-out and
password reset work; after AXES_FAILURE_LIMIT wrong passwords the right one is refused.
Every failure raises (non-zero exit) with what was asked and what came back.
"""

from __future__ import annotations

import datetime
import json
import sys
from urllib.parse import urlsplit

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.template.loader import get_template  # noqa: E402
from django.test import Client, override_settings  # noqa: E402

ROLE_MARKERS = {
    "learner": 'id="learner-heading"',
    "tutor": 'id="tutor-heading"',
    "examiner": 'id="examiner-heading"',
    "admin": 'id="admin-heading"',
    "patient_rep": "Patient representatives do not need to sign in",
}
# Screens each role also opens (site and admin); all of them were 500 TemplateDoesNotExist
# when the wheel held no templates.
ROLE_PAGES = {
    "learner": [
        "/portfolio/reflections/",
        "/portfolio/reflections/new/",
        "/portfolio/arcp/",
        "/accounts/my-account/",
    ],
    "tutor": ["/portfolio/review/"],
    "examiner": ["/portfolio/arcp/panel/"],
    "admin": [
        "/admin/",
        "/admin/snippets/portfolio/cohort/",
        "/admin/snippets/portfolio/allocation/",
        "/admin/snippets/portfolio/panel/",
        "/admin/snippets/rubrics/rubric/",
        "/admin/portfolio/reflections/",
        "/admin/portfolio/audit/",
        "/admin/portfolio/import/",
        "/admin/reflect/invitations/",
        "/admin/feedback/responses/",
        "/admin/assessments/moderation/",
        "/admin/arcp/cohort-export/",
    ],
}
passed = 0


class ProbeFailed(AssertionError):
    pass


def check(condition, what, response=None):
    global passed
    if not condition:
        detail = ""
        if response is not None:
            body = (
                response.content[:1500].decode("utf-8", "replace") if not response.streaming else "(streamed)"
            )
            detail = f"\n  HTTP {response.status_code} {response.get('Content-Type', '')}\n  {body}"
        raise ProbeFailed(f"{what}{detail}")
    passed += 1


def csrf(client):
    return client.cookies["csrftoken"].value


def sign_in(username, password, ip):
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=ip)
    r = client.get("/accounts/login/")
    check(r.status_code == 200 and b'name="login"' in r.content, "the sign-in page renders", r)
    r = client.post(
        "/accounts/login/", {"login": username, "password": password, "csrfmiddlewaretoken": csrf(client)}
    )
    return client, r


def main(demo_path):
    demo = json.load(open(demo_path))
    password = "demo-pass-2026"

    # The apps and their templates come from the wheel, not from a checkout.
    import reflect

    check("site-packages" in reflect.__file__, f"reflect is installed ({reflect.__file__})")
    origin = get_template("reflect/layout.html").origin.name
    check("site-packages" in origin, f"the apps' templates come from the package ({origin})")
    check(settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware", "django-axes' middleware is last")
    check(settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesBackend", "django-axes' backend is first")
    check(len(settings.INSTALLED_APPS) == len(set(settings.INSTALLED_APPS)), "no app is installed twice")
    call_command("check", "--fail-level", "ERROR")
    print("wheel, settings and system checks: ok")

    by_role = {}

    # People with one role first (examiner1 rather than dualrole, who is tutor and examiner),
    # and with someone to see (tutor1_1 rather than formertutor, whose allocation has ended).
    def typical(user):
        has_people = bool(user["allocated_learners"] or user["panel_cohorts"] or user["cohort"])
        return (len(user["roles"]), not has_people, user["username"])

    for user in sorted(demo["users"], key=typical):
        for role in user["roles"]:
            by_role.setdefault(role, user["username"])
    check(set(ROLE_MARKERS) <= set(by_role), f"seed_demo made every role ({sorted(by_role)})")

    for n, (role, username) in enumerate(sorted(by_role.items())):
        client, r = sign_in(username, password, ip=f"10.1.0.{n + 1}")
        check(
            r.status_code == 302 and r["Location"] == settings.LOGIN_REDIRECT_URL, f"{username} signs in", r
        )
        r = client.get("/portfolio/")
        check(
            r.status_code == 200 and ROLE_MARKERS[role].encode() in r.content,
            f"{username}'s dashboard shows the {role} section",
            r,
        )
        for url in ROLE_PAGES.get(role, []):
            r = client.get(url)
            check(r.status_code == 200 and b"<html" in r.content.lower(), f"{username}: GET {url}", r)
        r = client.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf(client)})
        check(r.status_code == 302, f"{username} signs out", r)
        r = client.get("/portfolio/")
        check(
            r.status_code == 302 and "/accounts/login/" in r["Location"],
            "signed out: /portfolio/ asks to sign in",
            r,
        )
        screens = len(ROLE_PAGES.get(role, []))
        print(f"{role:<12} {username:<12} signed in, dashboard and {screens} screens, signed out")

    # The public feedback page, from a link seed_demo printed (no sign-in).
    path = urlsplit(demo["printed_links"][0]).path
    r = Client().get(path)
    check(r.status_code == 200 and b"<form" in r.content, f"the public feedback page {path}", r)
    r = Client().get("/api/v1/feedback/respond/" + path.rstrip("/").rsplit("/", 1)[1] + "/")
    check(r.status_code == 200 and "learner_display_name" in r.json(), "the feedback link through the API", r)
    print("public feedback page (a demo link): ok")

    # Forgotten password: the page, the request, the e-mail with its link.
    from django.core import mail

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        mail.outbox = []
        client = Client(enforce_csrf_checks=True)
        r = client.get("/accounts/password/reset/")
        check(r.status_code == 200, "the forgotten-password page", r)
        r = client.post(
            "/accounts/password/reset/",
            {"email": f"{by_role['learner']}@example.org", "csrfmiddlewaretoken": csrf(client)},
        )
        check(r.status_code == 302, "a password reset is requested", r)
        check(
            len(mail.outbox) == 1 and "/accounts/password/reset/key/" in mail.outbox[0].body,
            "the reset e-mail carries its link",
        )
        r = client.get(r["Location"])
        check(r.status_code == 200, "the reset-sent page", r)
    print("password reset (page, request, e-mail with its link): ok")

    # The API: a token, a list, an ARCP pack.
    api = Client(REMOTE_ADDR="10.2.0.1")
    examiner = by_role["examiner"]
    r = api.post(
        "/api/v1/auth/token/", {"username": examiner, "password": password}, content_type="application/json"
    )
    check(r.status_code == 200 and r.json().get("token"), "the API token endpoint", r)
    auth = {"HTTP_AUTHORIZATION": f"Token {r.json()['token']}"}
    r = api.get("/api/v1/learners/", **auth)
    check(r.status_code == 200 and r.json()["results"], f"GET /api/v1/learners/ as {examiner}", r)
    learner_id = r.json()["results"][0]["id"]
    r = api.get("/api/v1/reflections/?page_size=5", **auth)
    check(r.status_code == 200 and "results" in r.json(), "GET /api/v1/reflections/", r)
    today = datetime.date.today()
    period = f"from={today.replace(year=today.year - 2)}&to={today}"
    r = api.get(f"/api/v1/learners/{learner_id}/arcp.pdf?{period}", **auth)
    body = b"".join(r.streaming_content) if r.streaming else r.content
    check(
        r.status_code == 200
        and r["Content-Type"] == "application/pdf"
        and body.startswith(b"%PDF-")
        and r.get("X-Export-Id"),
        f"GET /api/v1/learners/{learner_id}/arcp.pdf is a PDF",
        r,
    )
    with override_settings(DEBUG=False):  # with DEBUG on, Django shows its technical 404 page
        r = api.get("/api/v1/no-such-thing/", **auth)
    check(
        r.status_code == 404 and r["Content-Type"].startswith("application/json"),
        "an unknown API URL is a JSON 404",
        r,
    )
    print(f"API: token, learners list, reflections list, ARCP pack ({len(body)} bytes PDF), JSON 404: ok")

    # Lockout: AXES_FAILURE_LIMIT failures, then the right password is refused.
    limit = settings.AXES_FAILURE_LIMIT
    tutor = by_role["tutor"]
    ip = "10.3.0.1"
    statuses = []
    for _ in range(limit):
        _, r = sign_in(tutor, "not-the-password", ip)
        statuses.append(r.status_code)
    check(all(s == 200 for s in statuses[:-1]), f"wrong passwords are refused on the form ({statuses})")
    check(statuses[-1] == 429, f"failure {limit} locks the account ({statuses})")
    client, r = sign_in(tutor, password, ip)
    check(
        r.status_code == 429 and b"Too many failed sign-in attempts" in r.content,
        f"attempt {limit + 1}, with the right password, is refused",
        r,
    )
    check(client.get("/portfolio/").status_code == 302, "and the locked-out person is not signed in")
    r = Client(REMOTE_ADDR=ip).post(
        "/api/v1/auth/token/", {"username": tutor, "password": password}, content_type="application/json"
    )
    check(
        r.status_code == 429 and r["Content-Type"].startswith("application/json"),
        "the API token door is locked too",
        r,
    )
    check(
        get_user_model().objects.filter(username=tutor, is_active=True).exists(),
        "the account itself stays active",
    )
    print(f"lockout: {limit} failures {statuses}, then the right password: 429 on the form and the API: ok")
    print(f"{passed} checks passed")


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    except ProbeFailed as exc:
        print(f"PROBE FAILED: {exc}", file=sys.stderr)
        sys.exit(1)
