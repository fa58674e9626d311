"""`seed_demo` as the API contract describes it: options, --json shape, every user with the
given password, and idempotent (a second run neither fails nor duplicates anything)."""

import io
import json

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

OUR_APPS = ("reflect", "portfolio", "rubrics", "assessments", "feedback", "arcp")


def run(*args) -> dict:
    out = io.StringIO()
    call_command("seed_demo", "--cohorts", "2", "--learners-per-cohort", "2", "--password", "s3cret-Demo",
                 "--json", *args, stdout=out)  # fmt: skip
    return json.loads(out.getvalue())


def counts() -> dict:
    return {
        m._meta.label: m.objects.count() for app in OUR_APPS for m in apps.get_app_config(app).get_models()
    }


def test_json_shape_passwords_and_idempotence():
    data = run()
    # The contract's keys, plus one extension: the open feedback links made by this run.
    assert set(data) == {"users", "cohorts", "feedback_links"} and len(data["cohorts"]) == 2
    links = data.pop("feedback_links")
    assert links and all(set(link) == {"learner", "url", "expires_at"} for link in links)
    assert all("/feedback/" in link["url"] for link in links)
    for user in data["users"]:
        assert {"username", "email", "roles", "cohort", "allocated_learners", "panel_cohorts"} <= set(user)
        person = get_user_model().objects.get(username=user["username"])
        assert person.check_password("s3cret-Demo")
        assert user["email"] == person.email and user["email"].endswith("@example.org")
    assert len({u["email"] for u in data["users"]}) == len(data["users"])
    roles = {r for u in data["users"] for r in u["roles"]}
    assert roles == {"learner", "tutor", "patient_rep", "examiner", "admin"}
    tutors = [u for u in data["users"] if "tutor" in u["roles"] and u["allocated_learners"]]
    assert tutors and all(u["cohort"] is None for u in tutors)
    before = counts()
    assert before["portfolio.Reflection"] and before["assessments.Assessment"] and before["arcp.ArcpReview"]
    # Attachments made by the seed (issue 16): a PNG and a PDF, checked and stored by the service.
    from portfolio.models import Attachment

    types = set(Attachment.objects.values_list("content_type", flat=True))
    assert types == {"image/png", "application/pdf"}
    assert all(a.file.storage.exists(a.file.name) for a in Attachment.objects.all())
    again = run()
    assert again.pop("feedback_links") == []  # links are shown once: only their hashes are kept
    assert again == data
    assert counts() == before


def test_one_invited_person_who_has_not_accepted():
    from reflect.models import Invitation

    data = run()
    assert "newlearner" not in {u["username"] for u in data["users"]}  # no demo password
    person = get_user_model().objects.get(username="newlearner")
    assert person.email == "newlearner@example.org" and not person.has_usable_password()
    (invitation,) = Invitation.objects.filter(user=person)
    assert invitation.state == "waiting"
    run()
    assert Invitation.objects.filter(user=person).count() == 1
    out = io.StringIO()
    call_command("seed_demo", "--cohorts", "1", "--learners-per-cohort", "1", stdout=out)
    assert "newlearner" in out.getvalue() and "invited" in out.getvalue()


def test_bad_sizes_are_refused():
    with pytest.raises(CommandError):
        call_command("seed_demo", "--cohorts", "0", stdout=io.StringIO())
