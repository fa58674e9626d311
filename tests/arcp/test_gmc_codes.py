"""ARCP outcomes × reason-code families, pinned to the GMC's tables (see `arcp/codes.py` for the
sources), for each programme type, through the service and through the API (contract v1.1).

The expectations are written out here, not read from `arcp.codes`, so that a change of the
tables in the code fails these tests.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from arcp import services
from arcp.models import ArcpReview
from reflect.models import AuditEvent
from tests.factories import ArcpExportFactory, signed_supervisor_report

ALL_OUTCOMES = ("1", "2", "3", "4", "5", "6", "7.1", "7.2", "7.3", "7.4", "8", "9", "10.1", "10.2", "none")
SPECIALTY = {
    "1": None,
    "2": "U",
    "3": "U",
    "4": "U",
    "5": None,  # insufficient evidence: "No U code required"
    "6": None,
    "7.1": None,
    "7.2": "U",
    "7.3": "U",
    "7.4": None,
    "8": None,
    "9": None,
    "10.1": "C",
    "10.2": "C",
    "none": "N",
}
# Foundation: U codes with 3, 4 and 5; outcomes 2, 7.x and 9 are not awarded in foundation.
FOUNDATION = {
    "1": None,
    "3": "U",
    "4": "U",
    "5": "U",
    "6": None,
    "8": None,
    "10.1": "C",
    "10.2": "C",
    "none": "N",
}
EXPECTED = {"foundation": FOUNDATION, "specialty": SPECIALTY, "undergraduate": SPECIALTY}
SAMPLE = {None: [], "U": ["U1"], "C": ["C3"], "N": ["N1"]}
CASES = [
    (programme, outcome, family) for programme in EXPECTED for outcome in ALL_OUTCOMES for family in SAMPLE
]


def expected_errors(programme, outcome, family) -> set[str]:
    rules = EXPECTED[programme]
    if outcome not in rules:
        return {"outcome"}
    return set() if rules[outcome] == family else {"reason_codes"}


@pytest.fixture
def panel(world):
    """learner_a's cohort with a programme type of the test's choosing, and a recorded pack."""
    w = world
    w.export = ArcpExportFactory(learner=w.learner_a)
    signed_supervisor_report(w.learner_a, w.export.period_from, w.export.period_to, author=w.tutor)
    w.next_review = w.export.period_to + datetime.timedelta(days=180)

    def set_programme(kind):
        w.cohort_a.programme_type = kind
        w.cohort_a.save()

    w.set_programme = set_programme
    return w


def body(w, outcome, codes, **extra):
    return {
        "learner": w.learner_a.pk,
        "period_from": w.export.period_from.isoformat(),
        "period_to": w.export.period_to.isoformat(),
        "export": str(w.export.pk),
        "outcome": outcome,
        "reason_codes": codes,
        "next_review_on": w.next_review.isoformat(),
        **extra,
    }


@pytest.mark.parametrize("programme, outcome, family", CASES)
def test_rules_through_the_service(panel, programme, outcome, family):
    panel.set_programme(programme)
    expected = expected_errors(programme, outcome, family)
    call = lambda: services.record_review(  # noqa: E731
        panel.examiner,
        panel.learner_a,
        panel.export.period_from,
        panel.export.period_to,
        panel.export,
        outcome,
        SAMPLE[family],
        "",
        next_review_on=panel.next_review,
        via="test",
    )
    if expected:
        with pytest.raises(ValidationError) as caught:
            call()
        assert set(caught.value.message_dict) == expected
        assert not ArcpReview.objects.exists()
    else:
        review = call()
        assert (review.outcome, review.reason_codes) == (outcome, SAMPLE[family])


@pytest.mark.parametrize("programme, outcome, family", CASES)
def test_rules_through_the_api(panel, api, programme, outcome, family):
    panel.set_programme(programme)
    expected = expected_errors(programme, outcome, family)
    response = api(panel.examiner).post(
        "/api/v1/arcp-reviews/", body(panel, outcome, SAMPLE[family]), format="json"
    )
    if expected:
        assert response.status_code == 400, response.json()
        errors = response.json()
        assert set(errors) == expected
        assert all(isinstance(m, list) and isinstance(m[0], str) for m in errors.values())
        for code in SAMPLE[family]:  # a refused code is named
            if "reason_codes" in expected:
                assert code in errors["reason_codes"][0]
        assert not ArcpReview.objects.exists()
    else:
        assert response.status_code == 201, response.json()
        assert response.json()["reason_codes"] == SAMPLE[family]
        assert response.json()["outcome"] == outcome


@pytest.mark.parametrize(
    "programme, outcome, codes, ok",
    [
        # C1 and C2 go with 10.1 only; C3–C6 with both.
        ("specialty", "10.1", ["C1", "C2"], True),
        ("specialty", "10.2", ["C1"], False),
        ("specialty", "10.2", ["C2"], False),
        ("specialty", "10.2", ["C3", "C4", "C5", "C6"], True),
        ("foundation", "10.2", ["C6"], True),
        # C codes take no other family.
        ("specialty", "10.1", ["C3", "U1"], False),
        ("specialty", "10.1", ["C3", "N1"], False),
        # U codes limited to a programme: exams are specialty's, attendance is foundation's.
        ("foundation", "3", ["U5"], False),
        ("foundation", "4", ["U6"], False),
        ("specialty", "3", ["U5", "U6"], True),
        ("specialty", "3", ["U9"], False),
        ("foundation", "5", ["U9"], True),
        ("undergraduate", "2", ["U9"], False),
        ("specialty", "4", ["U1", "U2", "U3", "U4", "U7", "U8", "U10"], True),
        # "none" needs N codes and N codes go with nothing else.
        ("specialty", "none", [], False),
        ("specialty", "none", ["N3", "N13"], True),
        ("foundation", "none", ["N17", "N19"], True),
        ("specialty", "1", ["N1"], False),
        ("foundation", "3", ["U1", "N1"], False),
        # codes are case-insensitive and de-duplicated
        ("specialty", "3", ["u2", "U2 "], True),
    ],
)
def test_code_details(panel, api, programme, outcome, codes, ok):
    panel.set_programme(programme)
    response = api(panel.examiner).post("/api/v1/arcp-reviews/", body(panel, outcome, codes), format="json")
    assert response.status_code == (201 if ok else 400), response.json()
    assert ArcpReview.objects.count() == (1 if ok else 0)


@pytest.mark.parametrize("code", ["U11", "C7", "N99", "X1", "U", "<script>"])
def test_unknown_code_is_a_400_naming_it(panel, api, code):
    panel.set_programme("specialty")
    response = api(panel.examiner).post(
        "/api/v1/arcp-reviews/", body(panel, "3", ["U1", code]), format="json"
    )
    assert response.status_code == 400
    message = response.json()["reason_codes"][0]
    assert message == f"Unknown reason code: {code.upper()}."
    assert not ArcpReview.objects.exists()


def test_wrong_family_names_the_code_and_the_family(panel, api):
    panel.set_programme("specialty")
    response = api(panel.examiner).post("/api/v1/arcp-reviews/", body(panel, "10.2", ["U3"]), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "reason_codes": [
            "U3 cannot go with outcome 10.2: it takes C codes (how COVID-19 disruption "
            "affected progression) only."
        ]
    }


@pytest.mark.parametrize("outcome, codes", [("2", ["U1"]), ("3", ["U1"]), ("4", ["U2"]), ("5", [])])
def test_next_review_date_required_for_outcomes_2_to_5(panel, api, outcome, codes):
    panel.set_programme("specialty")
    payload = body(panel, outcome, codes)
    del payload["next_review_on"]
    response = api(panel.examiner).post("/api/v1/arcp-reviews/", payload, format="json")
    assert response.status_code == 400 and set(response.json()) == {"next_review_on"}
    early = body(panel, outcome, codes, next_review_on=panel.export.period_to.isoformat())
    assert api(panel.examiner).post("/api/v1/arcp-reviews/", early, format="json").status_code == 400
    ok = api(panel.examiner).post(
        "/api/v1/arcp-reviews/", body(panel, outcome, codes, actions="Do X."), format="json"
    )
    assert ok.status_code == 201, ok.json()
    assert ok.json()["next_review_on"] == panel.next_review.isoformat() and ok.json()["actions"] == "Do X."
    assert ok.json()["acknowledged_at"] is None and ok.json()["appeal_requested_at"] is None


def test_programme_type_is_in_the_people_api(panel, api):
    panel.set_programme("foundation")
    me = api(panel.learner_a).get("/api/v1/me/").json()
    assert me["cohorts"] == [{"id": panel.cohort_a.pk, "name": "Cohort A", "programme_type": "foundation"}]
    learner = api(panel.examiner).get(f"/api/v1/learners/{panel.learner_a.pk}/").json()
    assert learner["cohort"]["programme_type"] == "foundation"


def test_the_review_is_audited_with_its_codes(panel):
    panel.set_programme("foundation")
    review = services.record_review(
        panel.examiner,
        panel.learner_a,
        panel.export.period_from,
        panel.export.period_to,
        panel.export,
        "3",
        ["U2"],
        "",
        next_review_on=panel.next_review,
        via="api",
    )
    event = AuditEvent.objects.get(action="arcp_review", object_id=str(review.pk))
    assert event.detail["outcome"] == "3" and event.detail["reason_codes"] == ["U2"]
