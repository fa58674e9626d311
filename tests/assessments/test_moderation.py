"""Moderation: agreement and weighted kappa (hand-worked), the admin report and the request
form, blindness, and the admin as a door that cannot change a finalised marking."""

from fractions import Fraction

import pytest
from django.urls import NoReverseMatch, reverse

from assessments import moderation, services
from assessments.marking_admin import kappa_in_words
from assessments.models import Assessment, ModerationRequest
from reflect import roles as R
from tests.factories import UserFactory, make_published_rubric, mark, submitted_reflection

pytestmark = pytest.mark.django_db


def test_weighted_kappa_hand_worked_example():
    # Three levels (k = 3), six criteria rated by markers A and B (level positions 0, 1, 2):
    pairs = [(0, 0), (1, 1), (2, 2), (0, 1), (1, 2), (2, 1)]
    # Linear disagreement weights w_ij = |i - j| / (k - 1): 0 on the diagonal, 1/2 one level
    # apart, 1 two levels apart.
    # Observed disagreement: three pairs are one level apart → (3 × 1/2) / 6 = 1/4.
    # Marginals: A chose 0, 1, 2 twice each → a = (1/3, 1/3, 1/3);
    #            B chose 0 once, 1 three times, 2 twice → b = (1/6, 1/2, 1/3).
    # Expected disagreement Σ w_ij a_i b_j:
    #   i=0: 1/3 × (0 × 1/6 + 1/2 × 1/2 + 1 × 1/3)   = 1/3 × 7/12 = 7/36
    #   i=1: 1/3 × (1/2 × 1/6 + 0 × 1/2 + 1/2 × 1/3) = 1/3 × 1/4  = 3/36
    #   i=2: 1/3 × (1 × 1/6 + 1/2 × 1/2 + 0 × 1/3)   = 1/3 × 5/12 = 5/36
    #   total = 15/36 = 5/12
    # kappa_w = 1 - (1/4) / (5/12) = 1 - 3/5 = 2/5
    assert moderation.weighted_kappa(pairs, 3) == Fraction(2, 5)
    # Exact agreement: 3 of 6 pairs identical.
    assert moderation.exact_agreement(pairs) == Fraction(1, 2)


def test_kappa_edge_cases():
    assert moderation.weighted_kappa([], 4) is None
    assert moderation.weighted_kappa([(1, 1), (1, 1)], 4) is None  # no expected disagreement
    assert moderation.weighted_kappa([(0, 0), (3, 3), (1, 1)], 4) == 1
    # complete reversal on a 2-level scale is -1
    assert moderation.weighted_kappa([(0, 1), (1, 0)], 2) == -1


@pytest.fixture
def double_marked(world):
    """Three reflections of learner_a marked by tutor and blind-second-marked by `second`."""
    rubric = make_published_rubric(criteria=3, levels=4)
    second = UserFactory(username="second", roles=(R.TUTOR,))
    plans = [
        ([3, 2, 1], [3, 2, 1]),  # identical
        ([3, 2, 1], [3, 1, 1]),  # one level apart on criterion 2
        ([3, 0, 2], [1, 0, 2]),  # two levels apart on criterion 1
    ]
    reflections = []
    for n, (first_levels, second_levels) in enumerate(plans):
        reflection = submitted_reflection(world.learner_a, title=f"Double {n + 1}")
        reflections.append(reflection)
        mark(reflection, rubric, world.tutor, levels=first_levels, finalise=True)
        services.request_moderation(reflection, rubric, second, world.admin)
        mark(reflection, rubric, second, levels=second_levels, finalise=True)
    return rubric, second, reflections


def test_report_per_rubric_and_marker_pair(world, double_marked):
    rubric, second, reflections = double_marked
    [row] = moderation.report()
    assert row.rubric == rubric and {row.marker_a, row.marker_b} == {world.tutor, second}
    assert row.reflections == 3 and len(row.pairs) == 9
    assert row.exact_agreement == Fraction(7, 9)
    assert row.kappa == moderation.weighted_kappa(row.pairs, 4)
    assert row.discrepant_reflections == [reflections[2]]
    [d] = row.discrepancies
    assert d.criterion.title == "Criterion 1" and d.gap == 2


def test_open_pairs_and_superseded_markings_are_left_out(world, double_marked):
    rubric, second, reflections = double_marked
    first = Assessment.objects.get(reflection=reflections[2], assessor=world.tutor)
    services.supersede(first, world.tutor, "re-marking")
    [row] = moderation.report()
    assert row.reflections == 2 and row.discrepancies == []


def test_admin_report_and_request_form(world, client, double_marked):
    rubric, second, reflections = double_marked
    client.force_login(world.admin)
    r = client.get(reverse("assessments_moderation"))
    assert r.status_code == 200
    html = r.content.decode()
    assert "78%" in html and "Double 3" in html
    third = UserFactory(username="third", roles=(R.TUTOR,))
    target = submitted_reflection(world.learner_a, title="To moderate")
    first = mark(target, rubric, world.tutor)
    url = reverse("assessments_moderation_request")
    assert client.get(url).status_code == 200
    r = client.post(url, {"first_assessment": first.pk, "second_marker": world.tutor.pk})
    assert r.status_code == 200 and b"other than the first marker" in r.content
    r = client.post(url, {"first_assessment": first.pk, "second_marker": third.pk, "note": "<b>Please</b>"})
    assert r.status_code == 302
    req = ModerationRequest.objects.get(first_assessment=first)
    assert req.second_marker == third and req.requested_by == world.admin and req.note == "Please"


@pytest.mark.parametrize("who", ["tutor", "examiner", "learner_a"])
def test_admin_views_are_for_admins_only(world, client, who):
    user = getattr(world, who)
    user.is_staff = True
    user.save()
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    for name in ("assessments_moderation", "assessments_moderation_request"):
        r = client.get(reverse(name))
        assert r.status_code in (302, 403)
    r = client.post(reverse("assessments_moderation_request"), {})
    assert r.status_code in (302, 403)
    assert not ModerationRequest.objects.exists()


def test_finalised_marking_cannot_be_changed_through_the_admin(world, client):
    rubric = make_published_rubric()
    a = mark(submitted_reflection(world.learner_a), rubric, world.tutor, finalise=True)
    client.force_login(world.admin)
    r = client.get(reverse("assessments_marking:inspect", args=[a.pk]))
    assert r.status_code == 200 and b"Thoughtful piece." in r.content
    assert client.get(reverse("assessments_marking:index")).status_code == 200
    for name in ("edit", "delete", "add", "copy"):
        with pytest.raises(NoReverseMatch):
            reverse(f"assessments_marking:{name}", args=[a.pk] if name != "add" else [])
    # the moderation form is not a door to it either
    r = client.post(
        reverse("assessments_moderation_request"),
        {"first_assessment": a.pk, "second_marker": world.examiner.pk},
    )
    a.refresh_from_db()
    assert a.status == "finalised" and a.version == 2 and a.overall_comment == "Thoughtful piece."


def test_blind_until_both_final_in_the_marker_screens(world, client, portfolio_page):
    from portfolio.site import portfolio_url

    rubric = make_published_rubric()
    second = UserFactory(username="second", roles=(R.TUTOR,))
    reflection = submitted_reflection(world.learner_a)
    first = mark(reflection, rubric, world.tutor, overall_comment="First marker's secret view")
    services.request_moderation(reflection, rubric, second, world.admin)
    client.force_login(second)
    home = client.get(portfolio_url("marking_home")).content.decode()
    assert portfolio_url("marking_start", reflection.pk) in home
    assert client.get(portfolio_url("marking_detail", first.pk)).status_code == 404
    r = client.post(portfolio_url("marking_start", reflection.pk), {"rubric": rubric.pk})
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "First marker&#x27;s secret view" not in page and "First marker's secret view" not in page
    # the learner's results page and API do not help a marker either
    assert client.get(portfolio_url("marking_results", reflection.pk)).status_code == 404


@pytest.mark.parametrize(
    "value, words",
    [
        (-0.1, "poor agreement (less than chance)"),
        (0.05, "slight agreement"),
        (0.2, "slight agreement"),
        (0.3, "fair agreement"),
        (0.55, "moderate agreement"),
        (0.7, "substantial agreement"),
        (0.95, "almost perfect agreement"),
        (1, "almost perfect agreement"),
    ],
)
def test_kappa_has_a_plain_reading(value, words):
    assert kappa_in_words(Fraction(value).limit_denominator(1000)) == words
