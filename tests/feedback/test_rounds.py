"""Colleague rounds: minimum and mix, closing, release after reading and a summary, the
three-answer floor, and the learner never seeing an individual answer (site, API, ZIP)."""

import datetime
import io
import json

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from arcp import services as arcp_services
from arcp.subject_access import feedback as subject_access_feedback
from arcp.subject_access import rounds as subject_access_rounds
from feedback import services
from feedback.models import ColleagueRound, ColleagueRoundRule, Feedback
from feedback.policies import feedback as feedback_policy
from feedback.services import rounds
from reflect.errors import Conflict, Gone, NotFound

from .helpers import full_answer

pytestmark = pytest.mark.django_db

MIX_OK = ["doctor", "doctor", "nurse", "nurse", "allied_health", "admin_staff", "doctor", "nurse"]
SECRET = "Only the tutor should ever read this sentence."


def start(world, links=10, closes_in=14):
    return rounds.open_round(
        world.learner_a,
        world.tutor,
        "Colleague feedback, spring",
        timezone.localdate() + datetime.timedelta(days=closes_in),
        [""] * links,
    )


def answer(created, roles, value=4):
    for c, role in zip(created, roles, strict=False):
        body = full_answer("colleague", value, respondent_role=role, comments=SECRET)
        services.submit_feedback(c.raw_token, body["ratings"], body["comments"], True, role)


def test_defaults_and_rules_per_programme_type_and_cohort(world):
    round_, _ = start(world, links=1)
    assert (round_.min_responses, round_.required_mix) == (
        8,
        {"doctor": 2, "nurse": 2, "allied_health": 1, "admin_staff": 1},
    )
    ColleagueRoundRule.objects.create(programme_type=world.cohort_a.programme_type, min_responses=5)
    assert rounds.rule_for(world.learner_a) == (5, {})
    ColleagueRoundRule.objects.create(cohort=world.cohort_a, min_responses=12, required_mix={"doctor": 4})
    assert rounds.rule_for(world.learner_a) == (12, {"doctor": 4})
    # A round keeps the rule it opened with.
    round_.refresh_from_db()
    assert round_.min_responses == 8


def test_bad_round_input_stores_nothing(world):
    for title, closes in (("", "2099-01-01"), ("Round", "yesterday"), ("Round", "2000-01-01")):
        with pytest.raises(ValidationError):
            rounds.open_round(world.learner_a, world.tutor, title, closes, [""])
    with pytest.raises(NotFound):
        rounds.open_round(world.learner_b, world.tutor, "Round", "2099-01-01", [""])
    assert not ColleagueRound.objects.exists()


def test_release_needs_minimum_mix_reading_and_summary(world):
    round_, created = start(world)
    answer(created[:5], ["doctor", "doctor", "doctor", "nurse", "nurse"])
    rounds.record_read(round_, world.tutor)
    with pytest.raises(ValidationError) as under:
        rounds.release(round_, world.tutor, "Summary.")
    assert "it needs at least 8" in str(under.value) and "allied health" in str(under.value)
    answer(created[5:8], ["doctor", "nurse", "nurse"])  # 8 answers, but no allied or admin staff
    with pytest.raises(ValidationError) as mix:
        rounds.release(round_, world.tutor, "Summary.")
    assert "allied health" in str(mix.value) and "administrative" in str(mix.value)
    answer(created[8:10], ["allied_health", "admin_staff"])
    assert rounds.progress(round_)["valid"]
    with pytest.raises(ValidationError):
        rounds.release(round_, world.tutor, "   ")  # no summary
    with pytest.raises(NotFound):
        rounds.release(round_, world.former, "Summary.")  # not their learner any more
    released = rounds.release(round_, world.tutor, "Kind and reliable; speak up sooner.")
    assert released.is_released and released.summary.startswith("Kind")
    with pytest.raises(Conflict):
        rounds.release(released, world.tutor, "Again.")
    assert not ColleagueRound.objects.filter(pk=round_.pk, summary="Again.").exists()


def test_release_before_the_tutor_read_the_answers_is_refused(world):
    round_, created = start(world)
    answer(created, MIX_OK)
    with pytest.raises(ValidationError) as unread:
        rounds.release(round_, world.tutor, "Summary.")
    assert "Read the colleagues' answers" in str(unread.value)
    assert not ColleagueRound.objects.get(pk=round_.pk).is_released


def test_closed_round_refuses_answers_and_release_closes_it(world):
    round_, created = start(world)
    ColleagueRound.objects.filter(pk=round_.pk).update(
        closes_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    with pytest.raises(Gone) as gone:
        services.invitation_for_token(created[0].raw_token)
    assert "closed" in gone.value.message
    ColleagueRound.objects.filter(pk=round_.pk).update(closes_on=timezone.localdate())
    answer(created[:8], MIX_OK)
    round_.refresh_from_db()
    rounds.record_read(round_, world.tutor)
    rounds.release(round_, world.tutor, "Summary.")
    with pytest.raises(Gone):
        services.invitation_for_token(created[9].raw_token)  # unused links stop working
    with pytest.raises(Conflict):
        rounds.add_links(round_, world.tutor, [""])


def test_aggregates_never_below_three(world):
    round_, created = start(world)
    answer(created[:2], ["doctor", "doctor"], 5)
    report = rounds.report(round_, world.tutor)
    assert not report["enough_for_aggregates"] and report["responses"] is None
    assert all(item["mean"] is None and item["suppressed"] for item in report["items"])
    answer(created[2:5], ["doctor", "nurse", "nurse"], 2)  # 3 doctors (5, 5, 2), 2 nurses (2, 2)
    report = rounds.report(round_, world.tutor)
    first = report["items"][0]
    assert report["responses"] == 5 and first["n"] == 5 and first["mean"] == round(16 / 5, 2)
    assert [(g["role"], g["mean"]) for g in first["groups"]] == [("doctor", 4.0)]  # nurses: only two
    assert {g["role"]: g["n"] for g in report["groups"]} == {"doctor": 3, "nurse": None}


def test_learner_never_sees_individual_colleague_answers(world, api, client, portfolio_page):
    round_, created = start(world)
    answer(created[:8], MIX_OK)
    rounds.self_assess(round_, world.learner_a, {"col_teamwork": 3}, "I am unsure about handovers.")
    with pytest.raises(NotFound):
        rounds.report(round_, world.learner_a)  # not before release
    early = api(world.learner_a).get(f"/api/v1/colleague-rounds/{round_.pk}/").json()
    assert early["results"] is None and SECRET not in str(early)
    assert api(world.learner_b).get(f"/api/v1/colleague-rounds/{round_.pk}/").status_code == 404
    # API: the learner's and the panel's feedback lists hold no colleague answer; the tutor's do.
    assert api(world.learner_a).get("/api/v1/feedback/").json()["count"] == 0
    assert api(world.examiner).get("/api/v1/feedback/").json()["count"] == 0
    assert api(world.tutor).get("/api/v1/feedback/").json()["count"] == 8
    one = Feedback.objects.filter(respondent_type="colleague").first()
    assert api(world.learner_a).get(f"/api/v1/feedback/{one.pk}/").status_code == 404
    # Pack and subject access: colleague answers are not evidence on their own.
    assert not feedback_policy.released().filter(respondent_type="colleague").exists()
    assert subject_access_feedback(world.learner_a) == []
    # Site, before release: the learner sees the round but no answer and no figure.
    client.force_login(world.learner_a)
    url = f"/portfolio/feedback/rounds/{round_.pk}/"
    page = client.get(url).content.decode()
    assert "when your tutor has read the answers" in page and SECRET not in page
    assert "Your self-assessment" in page
    assert SECRET not in client.get("/portfolio/feedback/").content.decode()
    # The tutor reads (recorded) and releases on the site.
    client.force_login(world.tutor)
    tutor_page = client.get(url).content.decode()
    assert SECRET in tutor_page and "Individual answers" in tutor_page
    r = client.post(url, {"action": "release", "summary": "Kind and reliable."})
    assert r.status_code == 302
    # After release: aggregates and summary, still no individual answer.
    client.force_login(world.learner_a)
    page = client.get(url).content.decode()
    assert "Kind and reliable." in page and "Combined results" in page
    assert SECRET not in page and "Individual answers" not in page
    round_.refresh_from_db()
    report = rounds.report(round_, world.learner_a)
    assert report["items"][0]["mean"] == 4.0 and "comments" not in str(report["items"])
    assert next(i for i in report["items"] if i["key"] == "col_teamwork")["self"] == 3
    assert api(world.learner_a).get("/api/v1/feedback/").json()["count"] == 0
    body = api(world.learner_a).get(f"/api/v1/colleague-rounds/{round_.pk}/").json()
    assert body["results"]["items"][0]["mean"] == 4.0 and SECRET not in str(body)
    held = json.dumps(subject_access_rounds(world.learner_a), cls=DjangoJSONEncoder)
    assert "Kind and reliable." in held and SECRET not in held
    # Another learner's round does not exist for them.
    client.force_login(world.learner_b)
    assert client.get(url).status_code == 404


def test_site_release_under_minimum_shows_a_clear_error(world, client, portfolio_page):
    round_, created = start(world)
    answer(created[:3], ["doctor", "nurse", "allied_health"])
    client.force_login(world.tutor)
    url = f"/portfolio/feedback/rounds/{round_.pk}/"
    client.get(url)  # reads the answers
    page = client.post(url, {"action": "release", "summary": "Summary."}).content.decode()
    assert "There is a problem" in page and "it needs at least 8" in page
    assert not ColleagueRound.objects.get(pk=round_.pk).is_released


def test_tutor_opens_a_round_on_the_site_with_qr_codes(world, client, portfolio_page):
    client.force_login(world.tutor)
    r = client.post(
        "/portfolio/feedback/rounds/new/",
        {
            "learner": world.learner_a.pk,
            "title": "Colleague feedback",
            "closes_on": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
            "emails": "dr.one@example.org",
            "extra_links": "2",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200 and "will not be shown again" in html
    assert html.count('<svg role="img"') == 2
    round_ = ColleagueRound.objects.get()
    assert round_.invitations.filter(respondent_type="colleague").count() == 3


def test_the_pack_holds_released_results_and_never_an_answer(world):
    def pack_text(by):
        today = timezone.localdate()
        export = arcp_services.build_pack(world.learner_a, today - datetime.timedelta(days=30), today, by)
        export.file.open("rb")
        try:
            data = export.file.read()
        finally:
            export.file.close()
        reader = pypdf.PdfReader(io.BytesIO(data))
        return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)

    round_, created = start(world, closes_in=0)
    answer(created[:8], MIX_OK)
    before = pack_text(world.learner_a)
    assert "Colleague feedback:" not in before and "Only the tutor" not in before
    rounds.record_read(round_, world.tutor)
    rounds.release(round_, world.tutor, "Kind and reliable; speak up sooner.")
    after = pack_text(world.learner_a)
    assert "Colleague feedback: Colleague feedback, spring" in after
    assert "Kind and reliable; speak up sooner." in after and "Only the tutor" not in after
