"""A client generated from the served schema by openapi-python-client, used as generated
(nothing patched) against the running test server for the main learner, tutor and examiner
calls (issue 13, item 9): token, lists, create, submit with findings, assessments, a pack's
bytes and their verification.

The generator runs offline (`openapi-python-client generate --path schema.json`). The only
configuration is the generator's own: PDF and ZIP answers are read as binary files, and no
formatter runs afterwards.
"""

from __future__ import annotations

import datetime
import importlib
import io
import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from django.utils import timezone

from portfolio.setup import ensure_portfolio_page
from reflect import roles as R

from ..factories import (
    AllocationFactory,
    CohortFactory,
    LearnerFactory,
    PanelFactory,
    UserFactory,
    make_published_rubric,
)

PACKAGE = "reflect_api_client"
GENERATOR = Path(sys.executable).with_name("openapi-python-client")
CONFIG = """\
content_type_overrides:
  application/pdf: application/octet-stream
  application/zip: application/octet-stream
post_hooks: []
"""
NHS = "401 023 2137"  # a valid Modulus 11 check digit: always blocks submission


@pytest.fixture
def generated(live_server, tmp_path):
    """Generate the client from the live server's schema and import it."""
    schema = httpx.get(f"{live_server.url}/api/v1/schema/?format=json", timeout=30)
    assert schema.status_code == 200
    (tmp_path / "schema.json").write_text(json.dumps(schema.json()))
    (tmp_path / "config.yml").write_text(CONFIG)
    run = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(tmp_path / "schema.json"),
            "--config",
            str(tmp_path / "config.yml"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout + run.stderr, run.stdout + run.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        importlib.invalidate_caches()
        yield _Modules(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
            del sys.modules[name]


class _Modules:
    """`generated.api("reflections.reflections_create")`, `generated.model("Reflection")`."""

    def __init__(self, package: str):
        self.package = package
        self.root = importlib.import_module(package)
        self.models = importlib.import_module(f"{package}.models")
        self.types = importlib.import_module(f"{package}.types")

    def api(self, name: str):
        return importlib.import_module(f"{self.package}.api.{name}")

    def model(self, name: str):
        return getattr(self.models, name)


@pytest.fixture
def people(transactional_db):
    ensure_portfolio_page()
    cohort = CohortFactory(name="Cohort G")
    learner = LearnerFactory(username="gen_learner", cohort=cohort)
    tutor = UserFactory(username="gen_tutor", roles=(R.TUTOR,))
    AllocationFactory(tutor=tutor, learner=learner)
    examiner = UserFactory(username="gen_examiner", roles=(R.EXAMINER,))
    PanelFactory(examiner=examiner, cohort=cohort)
    rubric = make_published_rubric(criteria=2, levels=3)
    return {"learner": learner, "tutor": tutor, "examiner": examiner, "rubric": rubric}


def test_generated_client_works_unpatched(generated, people, live_server):
    g = generated
    m = g.model
    anonymous = g.root.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    def sign_in(username):
        token = g.api("auth.auth_token_create").sync(
            client=anonymous, body=m("TokenRequestRequest")(username=username, password="pw")
        )
        assert isinstance(token, m("TokenResponse")), token
        return g.root.AuthenticatedClient(
            base_url=live_server.url, token=token.token, prefix="Token", raise_on_unexpected_status=True
        )

    # Wrong password: the documented 400, parsed.
    wrong = g.api("auth.auth_token_create").sync_detailed(
        client=anonymous, body=m("TokenRequestRequest")(username="gen_learner", password="nope")
    )
    assert wrong.status_code == 400

    # --- Learner: create, a 400 for an unknown theme, submit blocked by findings, fix, submit.
    learner = sign_in("gen_learner")
    me = g.api("me.me_retrieve").sync(client=learner)
    assert me.username == "gen_learner" and me.roles == ["learner"]
    create = g.api("reflections.reflections_create")
    today = timezone.localdate()
    bad = create.sync_detailed(
        client=learner,
        body=m("ReflectionCreateRequest")(
            title="x",
            kind=m("KindEnum")("other"),
            occurred_on=today,
            body_html="<p>x</p>",
            themes=["no-such-theme"],
        ),
    )
    assert bad.status_code == 400 and isinstance(bad.parsed, m("ApiValidationError"))
    assert "themes" in bad.parsed.additional_properties
    reflection = create.sync(
        client=learner,
        body=m("ReflectionCreateRequest")(
            title="Food bank evening",
            kind=m("KindEnum")("community_placement"),
            occurred_on=today - datetime.timedelta(days=3),
            body_html=f"<p>We met a man (NHS {NHS}) whose rent ate his food budget.</p>",
            themes=["equity_power", "advocacy"],
        ),
    )
    assert isinstance(reflection, m("Reflection")), reflection
    assert reflection.status.value == "draft" and sorted(reflection.themes) == ["advocacy", "equity_power"]
    submit = g.api("reflections.reflections_submit_create")
    blocked = submit.sync_detailed(reflection.id, client=learner, body=m("ReflectionSubmitRequest")())
    assert blocked.status_code == 400
    assert isinstance(blocked.parsed, m("IdentifierFindingsError")), blocked.parsed
    assert {finding.kind for finding in blocked.parsed.findings} == {"nhs_number"}
    patched = g.api("reflections.reflections_partial_update").sync(
        reflection.id,
        client=learner,
        body=m("PatchedReflectionPatchRequest")(
            version=reflection.version, body_html="<p>We met a man whose rent ate his food budget.</p>"
        ),
    )
    assert isinstance(patched, m("Reflection")), patched
    submitted = submit.sync(reflection.id, client=learner, body=m("ReflectionSubmitRequest")())
    assert isinstance(submitted, m("Reflection")) and submitted.status.value == "submitted"
    mine = g.api("reflections.reflections_list").sync(client=learner)
    assert [r.id for r in mine.results] == [reflection.id] and mine.count == 1

    # --- Tutor: mark it against the published rubric and finalise.
    tutor = sign_in("gen_tutor")
    rubric = g.api("rubrics.rubrics_retrieve").sync(people["rubric"].pk, client=tutor)
    assert isinstance(rubric, m("Rubric")) and len(rubric.criteria) == 2
    scores = [
        m("ScoreInputRequest")(
            criterion=criterion.id, level=criterion.levels[-1].id, comment="Clear link to housing."
        )
        for criterion in rubric.criteria
    ]
    assessment = g.api("assessments.assessments_create").sync(
        client=tutor,
        body=m("AssessmentCreateRequest")(reflection=reflection.id, rubric=rubric.id, scores=scores),
    )
    assert isinstance(assessment, m("Assessment")), assessment
    final = g.api("assessments.assessments_finalise_create").sync(
        assessment.id, client=tutor, body=m("FinaliseRequest")(version=assessment.version)
    )
    assert isinstance(final, m("Assessment")) and final.status.value == "finalised"

    # --- Examiner: lists, the assessment, the pack's bytes, the export record, verification.
    examiner = sign_in("gen_examiner")
    learners = g.api("learners.learners_list").sync(client=examiner)
    assert [row.username for row in learners.results] == ["gen_learner"]
    reflections = g.api("reflections.reflections_list").sync(client=examiner, page_size=10)
    assert [r.id for r in reflections.results] == [reflection.id]
    assessments = g.api("assessments.assessments_list").sync(client=examiner, learner=people["learner"].pk)
    assert [a.id for a in assessments.results] == [assessment.id]
    assert assessments.results[0].total == final.total
    pack = g.api("arcp.learners_arcp_pdf").sync_detailed(
        people["learner"].pk, client=examiner, from_=today - datetime.timedelta(days=365), to=today
    )
    assert pack.status_code == 200
    data = pack.parsed.payload.read()
    assert data.startswith(b"%PDF") and len(data) > 1000
    export_id = pack.headers["X-Export-Id"]
    export = g.api("arcp.exports_retrieve").sync(export_id, client=examiner)
    assert isinstance(export, m("ArcpExport")) and str(export.id) == export_id
    verified = g.api("arcp.exports_verify_create").sync(
        client=examiner,
        body=m("VerifyRequestRequest")(
            file=g.types.File(payload=io.BytesIO(data), file_name="pack.pdf", mime_type="application/pdf")
        ),
    )
    assert (
        isinstance(verified, m("VerifyResponse")) and verified.valid and str(verified.export_id) == export_id
    )
    # A period the schema's rule refuses: the documented 400, parsed.
    refused = g.api("arcp.learners_arcp_pdf").sync_detailed(
        people["learner"].pk, client=examiner, from_=today, to=today - datetime.timedelta(days=1)
    )
    assert refused.status_code == 400 and isinstance(refused.parsed, m("ApiValidationError"))
