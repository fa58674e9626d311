"""Schemathesis against the project's own OpenAPI schema, in-process through the WSGI app.

For each role (learner, tutor, examiner, admin, patient_rep) a Token-authenticated client
fuzzes every operation of `/api/v1/schema/?format=json` (positive and negative data, random
and real path parameters): no 5xx, every status code documented, every body, content type and
documented header as the schema says. Bounded and reproducible: derandomized Hypothesis, a few
examples per operation. (Schemathesis' own pytest loader is not used: its lazy loader touches
pytest internals that pytest 9.2 renamed, and a plain loop reports every failing operation at
once.)

Run alone: `.venv/bin/pytest tests/api/test_schemathesis.py` (or `-m schemathesis`).
"""

from __future__ import annotations

import datetime
import time
from collections import Counter

import hypothesis
import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils import timezone
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ..factories import (
    ArcpExportFactory,
    ArcpReviewFactory,
    FeedbackFactory,
    api_token,
    feedback_invitation,
    make_published_rubric,
    mark,
    submitted_reflection,
)
from ..factories.files import attach

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

SCHEMA_URL = "/api/v1/schema/?format=json"
MAX_EXAMPLES = 12  # per operation and role; keeps the file well under three minutes
ROLES = {
    "learner": "learner_a",
    "tutor": "tutor",
    "examiner": "examiner",
    "admin": "admin",
    "patient_rep": "patient_rep",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def wsgi_app():
    """The Django WSGI app, sharing the test's database connection and transaction.

    Like Django's test client, stop request signals from closing the connection (which
    would break the test transaction) while schemathesis drives the app.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    cache.clear()  # throttle histories and feedback-guess counters: one role's run must not
    try:  # eat the next one's allowance
        yield WSGIHandler()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        cache.clear()


@pytest.fixture
def fuzz_world(world):
    """`world` plus something behind every endpoint: reflections in each state, a published
    rubric, draft and finalised assessments, feedback, an open invitation, an export and a review."""
    today = timezone.localdate()
    rubric = make_published_rubric(criteria=2, levels=3)
    submitted = submitted_reflection(world.learner_a, title="Housing and hip fractures")
    signed_off = submitted_reflection(world.learner_a, status="signed_off", title="Food bank")
    submitted_reflection(world.learner_b, title="Other cohort")
    from ..factories import ReflectionFactory

    ReflectionFactory(learner=world.learner_a, title="A draft")
    world.draft_assessment = mark(submitted, rubric, world.tutor)
    world.final_assessment = mark(signed_off, rubric, world.tutor, finalise=True)
    world.feedback = FeedbackFactory(learner=world.learner_a)
    _, world.raw_token = feedback_invitation(world.learner_a, by=world.tutor)
    world.export = ArcpExportFactory(
        learner=world.learner_a, period_from=today - datetime.timedelta(days=365), period_to=today
    )
    world.review = ArcpReviewFactory(export=world.export, examiner=world.examiner)
    world.rubric, world.submitted = rubric, submitted
    world.attachment = attach(submitted, "poster.png")
    return world


@pytest.fixture(params=list(ROLES))
def role(request):
    return request.param


@pytest.fixture
def auth_headers(fuzz_world, role):
    user = getattr(fuzz_world, ROLES[role])
    return {"Authorization": f"Token {api_token(user)}"}


def real_path_parameters(world) -> dict[str, dict]:
    """Path parameters naming objects that exist (in scope for some roles, not others), so
    fuzzing reaches real bodies and not only 404s. Keyed by a path prefix; the values are
    keyword arguments of `operation.as_strategy`."""
    ids = {
        "/api/v1/learners/{id}": {"id": world.learner_a.pk},
        "/api/v1/reflections/{id}/attachments/{aid}": {"id": world.submitted.pk, "aid": world.attachment.pk},
        "/api/v1/reflections/{id}": {"id": world.submitted.pk},
        "/api/v1/assessments/{id}": {"id": world.draft_assessment.pk},
        "/api/v1/rubrics/{id}": {"id": world.rubric.pk},
        "/api/v1/feedback/{id}": {"id": world.feedback.pk},
        "/api/v1/feedback/respond/{token}": {"token": world.raw_token},
        "/api/v1/exports/{id}": {"id": str(world.export.pk)},
        "/api/v1/arcp-reviews/{id}": {"id": world.review.pk},
    }
    return {prefix: {"path_parameters": value} for prefix, value in ids.items()}


def fuzz(schema, headers, checks, max_examples, real_parameters, path_filter=lambda path: True):
    """Fuzz every operation of `schema` (positive and negative data, random and real path
    parameters). Returns the failures as readable strings (empty when all pass) and a count
    of the status codes received."""
    failures: list[str] = []
    timings: dict[str, float] = {}
    statuses: Counter[int] = Counter()
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if not path_filter(operation.path):
            continue
        operations += 1
        fixed = next(
            (v for prefix, v in real_parameters.items() if operation.full_path.startswith(prefix)), None
        )
        strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
        if fixed:
            strategies.append(operation.as_strategy(**fixed))

        @hypothesis.settings(
            max_examples=max_examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
            verbosity=hypothesis.Verbosity.quiet,
        )
        @hypothesis.given(case=hypothesis.strategies.one_of(strategies))
        def run(case):
            response = case.call_and_validate(headers=headers, checks=checks)
            statuses[response.status_code] += 1

        started = time.monotonic()
        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - schemathesis raises a BaseExceptionGroup
            failures.append(f"{operation.label} [{type(exc).__name__}]: {exc}")
        timings[operation.label] = time.monotonic() - started
    assert operations, "no operation matched"
    slowest = sorted(timings.items(), key=lambda item: -item[1])[:5]
    print("slowest operations:", ", ".join(f"{label} {seconds:.1f}s" for label, seconds in slowest))
    print("statuses:", dict(sorted(statuses.items())))
    return failures, statuses


def load_schema(wsgi_app):
    return schemathesis.openapi.from_wsgi(SCHEMA_URL, wsgi_app)


def test_api_conforms_to_its_schema(fuzz_world, wsgi_app, auth_headers, role):
    failures, statuses = fuzz(
        load_schema(wsgi_app),
        auth_headers,
        CHECKS,
        max_examples=MAX_EXAMPLES,
        real_parameters=real_path_parameters(fuzz_world),
        path_filter=lambda path: not path.endswith("arcp.pdf"),
    )
    assert not failures, "\n\n".join(failures)
    # Not vacuous: real bodies were validated (the patient rep may read nothing but links),
    # and bad input was answered.
    successes = sum(n for code, n in statuses.items() if 200 <= code < 300)
    assert successes >= (5 if role == "patient_rep" else 50), statuses
    assert statuses[400] and statuses[404], statuses


def test_arcp_pdf_never_fails(fuzz_world, wsgi_app, auth_headers, role):
    """The PDF is rendered for real (slow), so fewer examples; its body is a PDF, so status,
    content type and headers are checked, not the bytes."""
    today = timezone.localdate()
    failures, statuses = fuzz(
        load_schema(wsgi_app),
        auth_headers,
        [not_a_server_error, status_code_conformance, content_type_conformance],
        max_examples=4,
        real_parameters={
            "/api/v1/learners/{id}": {
                "path_parameters": {"id": fuzz_world.learner_a.pk},
                "query": {"from": str(today - datetime.timedelta(days=365)), "to": str(today)},
            }
        },
        path_filter=lambda path: path.endswith("arcp.pdf"),
    )
    assert not failures, "\n\n".join(failures)
    if role in {"learner", "tutor", "examiner", "admin"}:
        assert statuses[200], statuses  # some fuzzed periods did reach the renderer


def test_schema_is_served_and_lists_every_contract_endpoint(client):
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/auth/token/",
        "/api/v1/me/",
        "/api/v1/learners/",
        "/api/v1/learners/{id}/",
        "/api/v1/reflections/",
        "/api/v1/reflections/{id}/",
        "/api/v1/reflections/{id}/submit/",
        "/api/v1/reflections/{id}/attachments/",
        "/api/v1/reflections/{id}/attachments/{aid}/",
        "/api/v1/reflections/{id}/attachments/{aid}/file/",
        "/api/v1/rubrics/",
        "/api/v1/rubrics/{id}/",
        "/api/v1/assessments/",
        "/api/v1/assessments/{id}/",
        "/api/v1/assessments/{id}/finalise/",
        "/api/v1/feedback-invitations/",
        "/api/v1/feedback/respond/{token}/",
        "/api/v1/feedback/",
        "/api/v1/learners/{id}/arcp.pdf",
        "/api/v1/exports/{id}/",
        "/api/v1/exports/verify/",
        "/api/v1/arcp-reviews/",
    ]:
        assert path in paths, path


# The crafted shapes of issue #13 (item 2), sent as explicit cases: each is answered with a
# status and body the schema documents (400 with a reason, 413), never a 5xx.
DEEP = b"[" * 100_000


def crafted_cases(world) -> list[tuple[str, str, dict, set[int]]]:
    json_body = {"media_type": "application/json"}
    return [
        ("GET", "/api/v1/reflections/", {"query": {"q": '"'}}, {400}),
        ("GET", "/api/v1/reflections/", {"query": {"q": 'a"b'}}, {200}),
        ("GET", "/api/v1/reflections/", {"query": {"q": "NEAR(x*) OR -y:^z"}}, {200}),
        ("POST", "/api/v1/auth/token/", {"body": DEEP, **json_body}, {400}),
        ("POST", "/api/v1/reflections/", {"body": DEEP, **json_body}, {400}),
        ("POST", "/api/v1/reflections/", {"body": b'{"title": "T", "kind": 1e999}', **json_body}, {400}),
        ("POST", "/api/v1/assessments/", {"body": b'{"reflection": NaN}', **json_body}, {400, 403}),
        (
            "POST",
            "/api/v1/feedback/respond/{token}/",
            {"path_parameters": {"token": world.raw_token}, "body": b'{"ratings": ' + DEEP, **json_body},
            {400},
        ),
        (
            "POST",
            "/api/v1/exports/verify/",
            {"body": {"file": b"%PDF" + b"x" * 4096}, "media_type": "multipart/form-data"},
            {413},
        ),
    ]


def test_crafted_input_is_answered_as_the_schema_says(fuzz_world, wsgi_app, settings):
    settings.ARCP_VERIFY_MAX_BYTES = 1024
    schema = load_schema(wsgi_app)
    headers = {"Authorization": f"Token {api_token(fuzz_world.learner_a)}"}
    for method, path, kwargs, expected in crafted_cases(fuzz_world):
        case = schema[path][method].Case(**kwargs)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        assert response.status_code in expected, (method, path, response.status_code, response.text[:200])
