"""Programme admins set colleague-round rules in the Wagtail admin (issue 18: "a minimum
number of responses and a required mix, configurable per programme"): one number box per
role, clear errors, and a new round takes the rule."""

from django.urls import reverse

from feedback.models import ColleagueRoundRule
from feedback.services import rounds


def form(**values):
    data = {
        "cohort": "",
        "programme_type": "",
        "min_responses": "8",
        "mix_doctor": "2",
        "mix_nurse": "2",
        "mix_allied_health": "1",
        "mix_admin_staff": "1",
    }
    data.update({k: str(v) for k, v in values.items()})
    return data


def test_a_programme_admin_sets_a_cohorts_rule_and_a_new_round_takes_it(world, client):
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    add = reverse("wagtailsnippets_feedback_colleagueroundrule:add")
    page = client.get(add)
    assert page.status_code == 200 and "At least this many: Doctor" in page.content.decode()
    response = client.post(add, form(cohort=world.cohort_a.pk, min_responses=10, mix_doctor=4))
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = ColleagueRoundRule.objects.get()
    assert rule.min_responses == 10 and rule.required_mix["doctor"] == 4 and rule.programme_type == ""
    assert rounds.rule_for(world.learner_a) == (10, rule.required_mix)
    listing = client.get(reverse("wagtailsnippets_feedback_colleagueroundrule:list")).content.decode()
    assert "4 doctor" in listing


def test_bad_rules_are_refused_with_reasons_and_nothing_is_saved(world, client):
    world.admin.is_staff = True
    world.admin.save()
    client.force_login(world.admin)
    add = reverse("wagtailsnippets_feedback_colleagueroundrule:add")
    neither = client.post(add, form())
    assert "Choose either a cohort or a programme type" in neither.content.decode()
    too_few = client.post(add, form(programme_type="foundation", min_responses=4))
    assert "the minimum must be at least 6" in too_few.content.decode()
    assert not ColleagueRoundRule.objects.exists()


def test_only_programme_admins_reach_the_rules(world, client):
    world.tutor.is_staff = True
    world.tutor.save()
    client.force_login(world.tutor)
    response = client.get(reverse("wagtailsnippets_feedback_colleagueroundrule:list"))
    assert response.status_code in (302, 403)
