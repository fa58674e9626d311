"""The educational supervisor's report: its states (draft → shared → signed, signed frozen,
wrong transitions 400 and nothing saved), its scope on the site and in the API (contract v1.1,
"Supervisor's reports"), the pack holding the signed report, and outcomes 1 and 6 refused
without one."""

from __future__ import annotations

import datetime
import io

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from arcp import services
from arcp.models import SupervisorReport
from portfolio.site import portfolio_url
from reflect.models import AuditEvent
from tests.factories import ArcpExportFactory, signed_supervisor_report

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR_AGO = TODAY - datetime.timedelta(days=365)


def data(**changes):
    body = {
        "period_from": YEAR_AGO,
        "period_to": TODAY,
        "recommendation": "satisfactory",
        "progress": "Housing and advocacy reflections were the strongest of the cohort.",
        "engagement": "Came to every meeting.",
        "concerns": "",
        "development_needs": "Lead an improvement project with the food bank.",
    }
    body.update(changes)
    return body


@pytest.fixture
def draft(world):
    return services.create_report(world.tutor, world.learner_a, data())


def state(report):
    report.refresh_from_db()
    return report.status


# --- States --------------------------------------------------------------------------------
def test_draft_shared_signed_and_every_step_audited(world, draft):
    assert draft.status == "draft" and draft.author == world.tutor
    services.share_report(world.tutor, draft.pk)
    assert state(draft) == "shared" and draft.shared_at
    services.comment_on_report(world.learner_a, draft.pk, "I agree with the development needs.")
    services.sign_report(world.tutor, draft.pk)
    assert state(draft) == "signed" and draft.signed_at
    assert draft.learner_comment == "I agree with the development needs."
    actions = list(AuditEvent.objects.filter(object_type="SupervisorReport").values_list("action", flat=True))
    assert sorted(actions) == ["esr_comment", "esr_create", "esr_share", "esr_sign"]


@pytest.mark.parametrize(
    "steps, refused",
    [
        ((), "sign"),  # a draft is shared with the learner first
        (("share",), "share"),  # shared twice
        (("share", "sign"), "sign"),  # signed twice
        (("share", "sign"), "share"),
        (("share", "sign"), "edit"),  # frozen
        (("share", "sign"), "comment"),  # frozen
        ((), "comment"),  # the learner cannot see a draft: 404 below, never a comment
    ],
)
def test_wrong_transitions_are_refused_and_change_nothing(world, draft, steps, refused):
    for step in steps:
        {"share": services.share_report, "sign": services.sign_report}[step](world.tutor, draft.pk)
    draft.refresh_from_db()
    before = {f.name: getattr(draft, f.name) for f in SupervisorReport._meta.fields}
    call = {
        "share": lambda: services.share_report(world.tutor, draft.pk),
        "sign": lambda: services.sign_report(world.tutor, draft.pk),
        "edit": lambda: services.update_report(world.tutor, draft.pk, data(progress="Changed.")),
        "comment": lambda: services.comment_on_report(world.learner_a, draft.pk, "Late comment."),
    }[refused]
    from reflect.errors import NotFound

    with pytest.raises((ValidationError, NotFound)):
        call()
    draft.refresh_from_db()
    assert {f.name: getattr(draft, f.name) for f in SupervisorReport._meta.fields} == before


def test_site_refuses_wrong_transitions_with_400(world, draft, client, portfolio_page):
    client.force_login(world.tutor)
    response = client.post(portfolio_url("arcp_esr_sign", draft.pk))
    assert response.status_code == 400 and b"is draft" in response.content
    assert state(draft) == "draft"
    assert client.get(portfolio_url("arcp_esr_sign", draft.pk)).status_code == 400
    services.share_report(world.tutor, draft.pk)
    response = client.post(portfolio_url("arcp_esr_share", draft.pk))
    assert response.status_code == 400 and state(draft) == "shared"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"recommendation": "excellent"}, "recommendation"),
        ({"period_to": YEAR_AGO - datetime.timedelta(days=1)}, "period_to"),
        ({"period_from": None}, "period_from"),
        ({"progress": "  "}, "progress"),
        ({"concerns": "x" * 20_001}, "concerns"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_saved(world, change, field):
    with pytest.raises(ValidationError) as caught:
        services.create_report(world.tutor, world.learner_a, data(**change))
    assert field in caught.value.message_dict
    assert not SupervisorReport.objects.exists()


def test_tutor_writes_shares_and_signs_on_the_site_after_confirming(world, client, portfolio_page):
    client.force_login(world.tutor)
    listing = client.get(portfolio_url("arcp_esr_list")).content.decode()
    assert portfolio_url("arcp_esr_new", world.learner_a.pk) in listing
    nav = client.get(portfolio_url("dashboard")).content.decode()
    assert portfolio_url("arcp_esr_list") in nav
    blank = client.get(portfolio_url("arcp_esr_new", world.learner_a.pk)).content.decode()
    assert "Progress in each theme" in blank and "Progress in “Lived experience”" in blank  # by theme
    form = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in data().items()}
    response = client.post(portfolio_url("arcp_esr_new", world.learner_a.pk), {**form, "recommendation": "x"})
    assert response.status_code == 400 and b"error-summary" in response.content
    assert not SupervisorReport.objects.exists()
    response = client.post(portfolio_url("arcp_esr_new", world.learner_a.pk), form)
    report = SupervisorReport.objects.get()
    assert response.status_code == 302 and report.status == "draft"
    client.post(portfolio_url("arcp_esr_share", report.pk))
    assert state(report) == "shared"
    confirm = client.get(portfolio_url("arcp_esr_sign", report.pk))
    assert confirm.status_code == 200 and b"Confirm and sign" in confirm.content
    assert state(report) == "shared"  # nothing happens before the confirmation
    client.post(portfolio_url("arcp_esr_sign", report.pk))
    assert state(report) == "signed"
    assert client.get(portfolio_url("arcp_esr_edit", report.pk)).status_code == 400


def test_learner_reads_shared_report_and_comments_on_my_arcp(world, draft, client, portfolio_page):
    client.force_login(world.learner_a)
    assert client.get(portfolio_url("arcp_esr_detail", draft.pk)).status_code == 404
    assert (
        portfolio_url("arcp_esr_detail", draft.pk)
        not in client.get(portfolio_url("arcp_my_pack")).content.decode()
    )
    services.share_report(world.tutor, draft.pk)
    assert (
        portfolio_url("arcp_esr_detail", draft.pk)
        in client.get(portfolio_url("arcp_my_pack")).content.decode()
    )
    page = client.get(portfolio_url("arcp_esr_detail", draft.pk)).content.decode()
    assert "Housing and advocacy" in page and "Add your comment" in page
    assert client.post(portfolio_url("arcp_esr_comment", draft.pk), {"comment": " "}).status_code == 400
    client.post(portfolio_url("arcp_esr_comment", draft.pk), {"comment": "Thank you."})
    draft.refresh_from_db()
    assert draft.learner_comment == "Thank you."
    # The learner never edits, shares or signs.
    assert client.post(portfolio_url("arcp_esr_sign", draft.pk)).status_code == 403


# --- Scope: site and API -------------------------------------------------------------------
# Who sees learner A's report in each status (the world: tutor allocated to A, examiner and
# dual on A's panel, dual tutors B, former tutored B, learner B is another cohort).
SCOPE = {
    "draft": {"learner_a": False, "tutor": True, "examiner": False, "admin": True},
    "shared": {"learner_a": True, "tutor": True, "examiner": False, "admin": True},
    "signed": {"learner_a": True, "tutor": True, "examiner": True, "admin": True, "dual": True},
}


@pytest.fixture(params=["draft", "shared", "signed"])
def report_in(request, world, draft):
    if request.param in ("shared", "signed"):
        services.share_report(world.tutor, draft.pk)
    if request.param == "signed":
        services.sign_report(world.tutor, draft.pk)
    draft.refresh_from_db()
    return request.param, draft


@pytest.mark.parametrize(
    "role", ["learner_a", "tutor", "examiner", "admin", "learner_b", "former", "patient_rep", "dual"]
)
def test_scope_matrix_site_and_api(world, report_in, role, client, api, portfolio_page):
    status, report = report_in
    user = getattr(world, role)
    seen = SCOPE[status].get(role, False)
    client.force_login(user)
    site = client.get(portfolio_url("arcp_esr_detail", report.pk))
    assert site.status_code == (200 if seen else 404), (role, status)
    detail = api(user).get(f"/api/v1/supervisor-reports/{report.pk}/")
    listed = api(user).get("/api/v1/supervisor-reports/")
    if role == "patient_rep":
        assert detail.status_code == 403 and listed.status_code == 403
        return
    assert detail.status_code == (200 if seen else 404), (role, status)
    ids = [row["id"] for row in listed.json()["results"]]
    assert (report.pk in ids) == seen, (role, status)


def test_examiner_sees_signed_reports_only_within_their_panels_cohorts(world, api):
    own = signed_supervisor_report(world.learner_a, author=world.tutor)
    other = signed_supervisor_report(world.learner_b)
    ids = {row["id"] for row in api(world.examiner).get("/api/v1/supervisor-reports/").json()["results"]}
    assert ids == {own.pk}
    assert api(world.examiner).get(f"/api/v1/supervisor-reports/{other.pk}/").status_code == 404


def test_api_fields_and_filters_are_the_contracts(world, draft, api):
    earlier = YEAR_AGO - datetime.timedelta(days=1)  # one report per period: the year before the draft's
    signed = signed_supervisor_report(
        world.learner_a, earlier - datetime.timedelta(days=365), earlier, author=world.tutor
    )
    body = api(world.tutor).get(f"/api/v1/supervisor-reports/{signed.pk}/").json()
    assert set(body) == {
        "id",
        "learner",
        "author",
        "period_from",
        "period_to",
        "recommendation",
        "status",
        "signed_at",
        "themes",  # an extension: the contract's fields are unchanged
    }
    assert body["learner"] == world.learner_a.pk and body["author"] == world.tutor.pk
    assert body["status"] == "signed" and body["recommendation"] == "satisfactory" and body["signed_at"]
    by_status = api(world.tutor).get("/api/v1/supervisor-reports/", {"status": "draft"}).json()
    assert [row["id"] for row in by_status["results"]] == [draft.pk]
    by_learner = api(world.admin).get("/api/v1/supervisor-reports/", {"learner": world.learner_b.pk}).json()
    assert by_learner["count"] == 0
    assert api(world.admin).get("/api/v1/supervisor-reports/", {"status": "lost"}).status_code == 400
    assert api(world.admin).get("/api/v1/supervisor-reports/", {"learner": "abc"}).status_code == 400
    assert api(world.tutor).post("/api/v1/supervisor-reports/", {}, format="json").status_code == 405


def test_schema_lists_the_endpoints(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    assert "/api/v1/supervisor-reports/" in paths and "/api/v1/supervisor-reports/{id}/" in paths
    params = {p["name"] for p in paths["/api/v1/supervisor-reports/"]["get"]["parameters"]}
    assert {"learner", "status"} <= params


# --- The pack and the outcome --------------------------------------------------------------
def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)


def test_pack_leads_with_the_signed_report_and_never_a_draft(world):
    report = services.create_report(
        world.tutor, world.learner_a, data(progress="A draft the panel never reads.")
    )
    export = services.build_pack(world.learner_a, YEAR_AGO, TODAY, world.examiner)
    assert "A draft the panel never reads." not in pdf_text(services.read_pack(export))
    services.update_report(world.tutor, report.pk, data(progress="Outstanding work with the night shelter."))
    services.share_report(world.tutor, report.pk)
    assert "Outstanding work" not in pdf_text(
        services.read_pack(services.build_pack(world.learner_a, YEAR_AGO, TODAY, world.examiner))
    )
    services.sign_report(world.tutor, report.pk)
    export = services.build_pack(world.learner_a, YEAR_AGO, TODAY, world.examiner)
    text = pdf_text(services.read_pack(export))
    assert "Educational supervisor's report" in text
    assert "Outstanding work with the night shelter." in text and "Satisfactory progress" in text
    assert "A draft the panel never reads." not in text
    assert text.index("Outstanding work") < text.index("Reflections by kind")  # it leads the pack


def test_pack_without_a_signed_report_says_so(world):
    export = services.build_pack(world.learner_a, YEAR_AGO, TODAY, world.examiner)
    assert "No signed educational supervisor's report covers this period" in pdf_text(
        services.read_pack(export)
    )


@pytest.mark.parametrize("outcome", ["1", "6"])
def test_satisfactory_outcome_refused_without_a_signed_report(world, api, outcome):
    world.cohort_a.programme_type = "specialty"
    world.cohort_a.save()
    export = ArcpExportFactory(learner=world.learner_a)
    draft = services.create_report(world.tutor, world.learner_a, data())  # a draft does not count
    body = {
        "learner": world.learner_a.pk,
        "period_from": export.period_from.isoformat(),
        "period_to": export.period_to.isoformat(),
        "export": str(export.pk),
        "outcome": outcome,
        "reason_codes": [],
    }
    response = api(world.examiner).post("/api/v1/arcp-reviews/", body, format="json")
    assert response.status_code == 400
    assert "Gold Guide" in response.json()["outcome"][0]
    draft.delete()  # one report per period: the signed ones below replace it
    # Signed after the pack was made: still not in the pack the panel judged from.
    late = signed_supervisor_report(world.learner_a, author=world.tutor, signed_at=timezone.now())
    assert api(world.examiner).post("/api/v1/arcp-reviews/", body, format="json").status_code == 400
    late.delete()
    signed_supervisor_report(world.learner_a, author=world.tutor, signed_at=export.created_at)
    assert api(world.examiner).post("/api/v1/arcp-reviews/", body, format="json").status_code == 201


def test_outcome_form_says_plainly_when_no_signed_report_covers_the_pack(world, client, portfolio_page):
    ArcpExportFactory(learner=world.learner_a)
    client.force_login(world.examiner)
    url = portfolio_url("arcp_panel_learner", world.learner_a.pk)
    assert b'id="esr-missing"' in client.get(url).content
    signed_supervisor_report(
        world.learner_a, author=world.tutor, signed_at=timezone.now() - datetime.timedelta(days=1)
    )
    page = client.get(url).content.decode()
    assert 'id="esr-missing"' not in page and "Steady progress across" in page


def test_subject_access_holds_the_reports_the_learner_may_read(world, draft):
    from arcp import subject_access

    before = YEAR_AGO - datetime.timedelta(days=1)  # one report per period: the year before the draft's
    shared = services.create_report(
        world.tutor,
        world.learner_a,
        data(progress="Shared words.", period_from=before - datetime.timedelta(days=300), period_to=before),
    )
    services.share_report(world.tutor, shared.pk)
    held = subject_access.arcp(world.learner_a)["supervisor_reports"]
    assert [r["id"] for r in held] == [shared.pk]
    assert held[0]["progress"] == "Shared words." and held[0]["author"]["id"] == world.tutor.pk
    assert held[0]["themes"] == []
