"""All public XSS vectors of ../shared/corpora through every HTML and text input, checking
what is stored and what is rendered (site pages, API JSON, the ARCP pack's HTML before
WeasyPrint).

Vectors are sent in batches (a benign marker paragraph first, then the vectors) so that the
whole corpus crosses each door in a handful of requests.

Policy checked:
- HTML fields (reflection sections / `body_html`): stored through `sanitize_html`: only the
  allow-list, no on* attribute, no style, no javascript:/vbscript:/data: URL; sanitising
  again changes nothing; the benign marker survives.
- Plain-text fields typed by learners, tutors and representatives (review comments,
  assessment comments, feedback): stored through `to_plain_text`: no tag an HTML parser
  would read; the marker survives.
- Plain-text fields typed by programme admins (rubric descriptions and descriptors, names in
  CSV imports): kept verbatim, as data, and escaped on every output.
- Every rendered page: it has no script-capable feature (element, handler, style, dangerous
  URL) that the same screen rendered with harmless text does not have.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from portfolio.models import Reflection, ReviewEvent
from portfolio.reflective_models import get_model
from portfolio.site import portfolio_url
from reflect import roles as R
from reflect.sanitize import sanitize_html, to_plain_text
from tests.factories import (
    AllocationFactory,
    LearnerFactory,
    UserFactory,
    feedback_invitation,
    make_published_rubric,
    submitted_reflection,
)

from .xss import (
    PAYLOADS,
    SKIP_REASON,
    batch,
    chunks,
    features,
    marker,
    plain_text_problems,
    stored_html_problems,
)

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(not PAYLOADS, reason=SKIP_REASON)]
CHUNKS = chunks(PAYLOADS)
CLEAN = [["<p>Harmless words only.</p>"]]
TODAY = datetime.date.today


def site(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_no_new_features(dirty_html: str, clean_html: str, where: str):
    extra = features(dirty_html) - features(clean_html)
    assert not extra, f"{where}: script-capable features only present with the vectors: {sorted(extra)[:10]}"


def assert_markers(page: str, door: str, count: int, where: str):
    missing = [n for n in range(count) if marker(door, n) not in page]
    assert not missing, f"{where}: benign text lost for batches {missing}"


def assert_html_safe(value: str, where: str):
    bad = stored_html_problems(value)
    assert not bad, f"{where}: {bad[:5]} in {value[:200]!r}"
    assert sanitize_html(value) == value, f"{where}: sanitising again changes it"


def assert_plain_safe(value: str, where: str):
    bad = plain_text_problems(value)
    assert not bad, f"{where}: {bad[:5]} in {value[:200]!r}"
    assert to_plain_text(value) == value.strip() or not re.search(r"<[A-Za-z/!?]", value), where


@pytest.fixture
def people(world, portfolio_page):
    return world


# --- Reflections: site form (every Gibbs section) and API ---------------------------------
def write_reflections_on_site(learner, groups, door="site"):
    client = site(learner)
    sections = [s.key for s in get_model("gibbs").sections]
    made = []
    for start in range(0, len(groups), len(sections)):
        data = {
            "title": f"Vectors {start}",
            "kind": "other",
            "occurred_on": TODAY().isoformat(),
            "reflective_model": "gibbs",
        }
        for offset, key in enumerate(sections):
            if start + offset < len(groups):
                data[f"section_{key}"] = batch(door, start + offset, groups[start + offset])
        response = client.post(portfolio_url("reflection_create") + "?model=gibbs", data)
        assert response.status_code == 302, response.content[:500]
        made.append(Reflection.objects.filter(learner=learner).latest("pk"))
    return made


def write_reflections_by_api(learner, groups, door="api"):
    client = api(learner)
    made = []
    for n, group in enumerate(groups):
        body = {
            "title": f"API {n}",
            "kind": "other",
            "occurred_on": TODAY().isoformat(),
            "body_html": batch(door, n, group),
        }
        response = client.post("/api/v1/reflections/", body, format="json")
        assert response.status_code == 201, response.content[:300]
        assert_html_safe(response.json()["body_html"], f"API response {n}")
        made.append(Reflection.objects.get(pk=response.json()["id"]))
    return made


def make_visible(reflections):
    Reflection.objects.filter(pk__in=[r.pk for r in reflections]).update(
        status="submitted", submitted_at=timezone.now()
    )


def test_reflections_through_site_and_api(people):
    w = people
    dirty = write_reflections_on_site(w.learner_a, CHUNKS) + write_reflections_by_api(w.learner_a, CHUNKS)
    clean_learner = LearnerFactory(cohort=w.cohort_a)
    AllocationFactory(tutor=w.tutor, learner=clean_learner)
    clean = write_reflections_on_site(clean_learner, CLEAN) + write_reflections_by_api(clean_learner, CLEAN)
    stored_text = ""
    for r in dirty:
        r.refresh_from_db()
        for key, value in r.sections.items():
            assert_html_safe(value, f"reflection {r.pk} section {key}")
        assert_html_safe(r.body_html, f"reflection {r.pk} body_html")
        stored_text += r.body_html
    assert_markers(stored_text, "site", len(CHUNKS), "stored (site)")
    assert_markers(stored_text, "api", len(CHUNKS), "stored (API)")
    make_visible(dirty + clean)
    pages = {
        "learner's page": lambda r: site(r.learner).get(portfolio_url("reflection_detail", r.pk)),
        "tutor's review": lambda r: site(w.tutor).get(portfolio_url("reflection_review", r.pk)),
    }
    for where, get in pages.items():
        clean_page = get(clean[0]).content.decode()
        shown = ""
        for r in dirty:
            response = get(r)
            assert response.status_code == 200, where
            page = response.content.decode()
            assert_no_new_features(page, clean_page, f"{where} {r.pk}")
            shown += page
        assert_markers(shown, "site", len(CHUNKS), where)
        assert_markers(shown, "api", len(CHUNKS), where)
    listing = api(w.tutor).get("/api/v1/reflections/?page_size=200").json()["results"]
    for row in listing:
        assert_html_safe(row["body_html"], f"API list {row['id']}")


# --- Tutor comments: request changes, comment, sign-off ------------------------------------
def review_with(tutor, learner, groups, door="tutor"):
    client = site(tutor)
    reflections = []
    for n, group in enumerate(groups):
        r = submitted_reflection(learner, title=f"For comments {n}")
        text = batch(door, n, group)
        if n % 3 == 0:
            response = client.post(
                portfolio_url("reflection_request_changes", r.pk), {"changes-comment": text}
            )
        elif n % 3 == 1:
            response = client.post(portfolio_url("reflection_comment", r.pk), {"comment": text})
        else:
            response = client.post(
                portfolio_url("reflection_sign_off", r.pk), {"comment": text, "confirm": "on"}
            )
        assert response.status_code == 302, response.content[:400]
        reflections.append(r)
    return reflections


def test_tutor_comments(people):
    w = people
    dirty = review_with(w.tutor, w.learner_a, CHUNKS)
    clean_learner = LearnerFactory(cohort=w.cohort_a)
    AllocationFactory(tutor=w.tutor, learner=clean_learner)
    clean = review_with(w.tutor, clean_learner, CLEAN * 3)
    stored = list(ReviewEvent.objects.filter(reflection__in=dirty).exclude(comment=""))
    assert len(stored) == len(CHUNKS), "every comment was stored"
    for event in stored:
        assert_plain_safe(event.comment, f"review event {event.pk}")
    assert_markers("".join(e.comment for e in stored), "tutor", len(CHUNKS), "stored comments")
    shown = ""
    for n, r in enumerate(dirty):
        page = site(w.learner_a).get(portfolio_url("reflection_detail", r.pk)).content.decode()
        clean_page = (
            site(clean_learner).get(portfolio_url("reflection_detail", clean[n % 3].pk)).content.decode()
        )
        assert_no_new_features(page, clean_page, f"learner's page {r.pk}")
        shown += page
    assert_markers(shown, "tutor", len(CHUNKS), "learner's pages")


# --- Assessments: criterion comments and overall comment (API and site form) ----------------
def mark_by_api(tutor, learner, rubric, groups, door="marks"):
    client = api(tutor)
    from assessments.services import rubric_criteria

    criteria = rubric_criteria(rubric)
    made = []
    for n, group in enumerate(groups):
        r = submitted_reflection(learner, title=f"Marked {n}")
        half = len(group) // 2
        scores = [
            {
                "criterion": c.pk,
                "level": list(c.levels.all())[0].pk,
                "comment": batch(door, n, group[:half]) if i == 0 else "ok",
            }
            for i, c in enumerate(criteria)
        ]
        body = {
            "reflection": r.pk,
            "rubric": rubric.pk,
            "scores": scores,
            "overall_comment": "\n".join(group[half:]),
        }
        response = client.post("/api/v1/assessments/", body, format="json")
        assert response.status_code == 201, response.content[:300]
        a = response.json()
        assert (
            client.post(
                f"/api/v1/assessments/{a['id']}/finalise/", {"version": a["version"]}, format="json"
            ).status_code
            == 200
        )
        made.append((r, a["id"]))
    return made


def test_assessment_comments(people):
    from assessments.models import Assessment, Score

    w = people
    rubric = make_published_rubric(criteria=2, levels=3)
    dirty = mark_by_api(w.tutor, w.learner_a, rubric, CHUNKS)
    clean_learner = LearnerFactory(cohort=w.cohort_a)
    AllocationFactory(tutor=w.tutor, learner=clean_learner)
    [(clean_refl, clean_id)] = mark_by_api(w.tutor, clean_learner, rubric, CLEAN)
    # The site's marking form too, for one batch.
    from tests.factories import mark

    draft = mark(submitted_reflection(w.learner_a), rubric, w.tutor)
    form = {"version": draft.version, "overall_comment": batch("siteform", 0, CHUNKS[0])}
    for s in draft.scores.all():
        form[f"level_{s.criterion_id}"] = s.level_id
        form[f"comment_{s.criterion_id}"] = batch("siteform", 1, CHUNKS[1 % len(CHUNKS)])
    assert site(w.tutor).post(portfolio_url("marking_edit", draft.pk), form).status_code == 302
    assessments = Assessment.objects.filter(reflection__learner=w.learner_a)
    for a in assessments:
        assert_plain_safe(a.overall_comment, f"assessment {a.pk} overall")
    for s in Score.objects.filter(assessment__in=assessments):
        assert_plain_safe(s.comment, f"score {s.pk}")
    everything = "".join(Score.objects.filter(assessment__in=assessments).values_list("comment", flat=True))
    assert_markers(everything, "marks", len(CHUNKS), "stored score comments")
    clean_pages = {
        "results": site(clean_learner).get(portfolio_url("marking_results", clean_refl.pk)).content.decode(),
        "detail": site(clean_learner).get(portfolio_url("marking_detail", clean_id)).content.decode(),
    }
    shown = ""
    for r, pk in dirty:
        for name, url in (
            ("results", portfolio_url("marking_results", r.pk)),
            ("detail", portfolio_url("marking_detail", pk)),
        ):
            page = site(w.learner_a).get(url).content.decode()
            assert_no_new_features(page, clean_pages[name], f"learner's {name} {pk}")
            shown += page
    assert_markers(shown, "marks", len(CHUNKS), "learner's marks")
    edit = site(w.tutor).get(portfolio_url("marking_edit", draft.pk)).content.decode()
    clean_draft = mark(submitted_reflection(clean_learner), rubric, w.tutor)
    assert_no_new_features(
        edit,
        site(w.tutor).get(portfolio_url("marking_edit", clean_draft.pk)).content.decode(),
        "marking form",
    )
    assert marker("siteform", 0) in edit


# --- Feedback: public form and API ------------------------------------------------------------
def answer_links(learner, groups, door="feedback"):
    for n, group in enumerate(groups):
        _, raw = feedback_invitation(learner)
        text = batch(door, n, group)
        if n % 2:
            response = APIClient().post(
                f"/api/v1/feedback/respond/{raw}/",
                {"ratings": {}, "comments": text, "anonymous": True, "respondent_role": "carer"},
                format="json",
            )
            assert response.status_code == 201, response.content[:300]
        else:
            response = Client().post(
                f"/feedback/{raw}/", {"comments": text, "respondent_role": "carer", "anonymous": "on"}
            )
            assert response.status_code == 302, response.content[:300]


def test_feedback_text(people):
    from feedback.models import Feedback

    w = people
    answer_links(w.learner_a, CHUNKS)
    clean_learner = LearnerFactory(cohort=w.cohort_a)
    answer_links(clean_learner, CLEAN)
    stored = list(Feedback.objects.filter(learner=w.learner_a))
    assert len(stored) == len(CHUNKS)
    for f in stored:
        assert_plain_safe(f.comments, f"feedback {f.pk}")
    assert_markers("".join(f.comments for f in stored), "feedback", len(CHUNKS), "stored feedback")
    page = site(w.learner_a).get(portfolio_url("feedback_list")).content.decode()
    clean_page = site(clean_learner).get(portfolio_url("feedback_list")).content.decode()
    assert_no_new_features(page, clean_page, "feedback list")
    assert_markers(page, "feedback", len(CHUNKS), "feedback list")
    rows = api(w.tutor).get("/api/v1/feedback/?page_size=200").json()["results"]
    for row in rows:
        assert_plain_safe(row["comments"], f"API feedback {row['id']}")


# --- Rubric text (import JSON) and CSV import names ------------------------------------------
def rubric_with(groups, slug):
    from rubrics import services

    data = {
        "slug": slug,
        "title": "Vectors rubric",
        "description": "\n".join(groups[0]),
        "criteria": [
            {
                "title": f"Criterion {n}",
                "description": batch("rubric", n, group),
                "levels": [
                    {"label": "Low", "descriptor": "\n".join(group), "points": 0},
                    {"label": "High", "descriptor": "Fine.", "points": 1},
                ],
            }
            for n, group in enumerate(groups)
        ],
    }
    return services.publish(services.import_json(data))


def test_rubric_text(people):
    from rubrics.models import Level
    from tests.factories import mark

    w = people
    dirty = rubric_with(CHUNKS, "vectors")
    clean = rubric_with(CLEAN, "harmless")
    # Admin-typed plain text is kept verbatim, as data.
    assert Level.objects.filter(criterion__rubric=dirty, label="Low").count() == len(CHUNKS)
    draft = mark(submitted_reflection(w.learner_a), dirty, w.tutor)
    clean_draft = mark(submitted_reflection(w.learner_a), clean, w.tutor)
    page = site(w.tutor).get(portfolio_url("marking_edit", draft.pk)).content.decode()
    clean_page = site(w.tutor).get(portfolio_url("marking_edit", clean_draft.pk)).content.decode()
    assert_no_new_features(page, clean_page, "marking form with the rubric")
    assert_markers(page, "rubric", len(CHUNKS), "marking form")
    response = api(w.tutor).get(f"/api/v1/rubrics/{dirty.pk}/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")


def test_csv_import_names(people):
    from portfolio.csv_import import import_allocations, import_members

    w = people
    short = [p for p in PAYLOADS if len(p) <= 150][:60]
    rows = "".join(
        f'vec{n},"{p.replace(chr(34), chr(34) * 2)}",Last{n},,Cohort A\n' for n, p in enumerate(short)
    )
    report = import_members(
        "username,first_name,last_name,email,cohort\n" + rows, dry_run=False, actor=w.admin
    )
    if not report.applied:  # refused as a whole, with reasons: nothing stored
        assert report.errors
        return
    alloc = "".join(f"tutor,vec{n},{TODAY().isoformat()},\n" for n in range(len(short)))
    assert import_allocations(
        "tutor_username,learner_username,starts_on,ends_on\n" + alloc, False, w.admin
    ).applied
    clean_tutor = UserFactory(roles=(R.TUTOR,))
    AllocationFactory(tutor=clean_tutor, learner=w.learner_a)
    page = site(w.tutor).get(portfolio_url("dashboard")).content.decode()
    clean_page = site(clean_tutor).get(portfolio_url("dashboard")).content.decode()
    assert_no_new_features(page, clean_page, "tutor dashboard with imported names")
    assert "Last5" in page


# --- The ARCP pack's HTML, before WeasyPrint ---------------------------------------------------
def pack_html(learner) -> str:
    from arcp import evidence, pdf

    today = timezone.localdate()
    return pdf.render_html(
        evidence.gather(learner, today - datetime.timedelta(days=60), today),
        "00000000-0000-0000-0000-000000000000",
    )


def everything_for(learner, tutor, groups, rubric):
    reflections = write_reflections_by_api(learner, groups, door="pack")
    make_visible(reflections)
    Reflection.objects.filter(pk__in=[r.pk for r in reflections]).update(
        occurred_on=TODAY() - datetime.timedelta(days=3)
    )
    mark_by_api(tutor, learner, rubric, groups, door="packmarks")
    answer_links(learner, groups, door="packfeedback")


def test_pdf_html(people):
    w = people
    rubric = rubric_with(CHUNKS, "vectors-pack")
    everything_for(w.learner_a, w.tutor, CHUNKS, rubric)
    clean_learner = LearnerFactory(cohort=w.cohort_a)
    AllocationFactory(tutor=w.tutor, learner=clean_learner)
    everything_for(clean_learner, w.tutor, CLEAN, rubric_with(CLEAN, "harmless-pack"))
    dirty, clean = pack_html(w.learner_a), pack_html(clean_learner)
    assert_no_new_features(dirty, clean, "ARCP pack HTML")
    for door in ("pack", "packmarks", "packfeedback"):
        assert_markers(dirty, door, len(CHUNKS), f"pack ({door})")


def test_checkers_catch_what_they_should():
    """The property checks can fail."""
    assert stored_html_problems('<img src=x onerror="alert(1)">')
    assert stored_html_problems('<a href=" java\tscript:alert(1)">x</a>')
    assert stored_html_problems('<p style="x">y</p>')
    assert plain_text_problems("<b>bold</b>")
    base = "<html><body><p>ok</p><script src='/static/js/x.js'></script></body></html>"
    for bad in (
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<svg onload=alert(1)>",
        "<p style='x'>y</p>",
    ):
        assert features(base.replace("<p>ok</p>", bad)) - features(base), bad
    assert features(base) == features(base.replace("ok", "fine"))
