"""Factories for every model, shared by all tests (import from here, not per test file)."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from portfolio.models import Allocation, Cohort, Enrolment, Panel, Placement, Reflection
from reflect import roles as R
from reflect import tokens

TODAY = datetime.date.today


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            R.grant(self, *extracted)
        if create:
            self.save()


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    programme = "MBChB"
    year = 2026


class LearnerFactory(UserFactory):
    """A learner enrolled in a cohort (pass `cohort=` to choose it)."""

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create:
            R.grant(self, *(extracted or (R.LEARNER,)))
            self.save()

    @factory.post_generation
    def cohort(self, create, extracted, **kwargs):
        if create:
            Enrolment.objects.create(learner=self, cohort=extracted or CohortFactory())


class AllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Allocation

    tutor = factory.SubFactory(UserFactory, roles=(R.TUTOR,))
    learner = factory.SubFactory(LearnerFactory)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    ends_on = None


class PanelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Panel

    examiner = factory.SubFactory(UserFactory, roles=(R.EXAMINER,))
    cohort = factory.SubFactory(CohortFactory)
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    organisation = factory.Sequence(lambda n: f"Community Food Bank {n}")
    type = "third_sector"
    place = "Cardiff"


class ReflectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reflection

    learner = factory.SubFactory(LearnerFactory)
    title = factory.Sequence(lambda n: f"Reflection {n}")
    kind = Reflection.Kind.COMMUNITY_PLACEMENT
    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=7))
    body_html = "<p>I followed a patient home after a hip fracture and saw the stairs.</p>"
    sections = factory.LazyAttribute(lambda r: {"free": r.body_html})
    status = Reflection.Status.DRAFT


# --- rubrics ------------------------------------------------------------------------------------

from rubrics.models import Competency, Criterion, Framework, Level, Rubric  # noqa: E402


class FrameworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Framework
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"framework_{n}")
    title = factory.Sequence(lambda n: f"Framework {n}")


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    framework = factory.SubFactory(FrameworkFactory)
    code = factory.Sequence(lambda n: f"competency_{n}")
    title = factory.Sequence(lambda n: f"Competency {n}")
    sort_order = factory.Sequence(lambda n: n)


class RubricFactory(factory.django.DjangoModelFactory):
    """A draft rubric (publish it with `rubrics.services.publish` or `make_published_rubric`)."""

    class Meta:
        model = Rubric

    slug = factory.Sequence(lambda n: f"rubric-{n}")
    title = factory.Sequence(lambda n: f"Rubric {n}")
    description = "A rubric for tests."
    version = 1


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion
        skip_postgeneration_save = True

    rubric = factory.SubFactory(RubricFactory)
    title = factory.Sequence(lambda n: f"Criterion {n}")
    description = "What the marker looks for."
    weight = 1

    @factory.post_generation
    def competencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.competencies.set(extracted)
            self.save()


class LevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Level

    criterion = factory.SubFactory(CriterionFactory)
    label = factory.Sequence(lambda n: f"Level {n}")
    descriptor = "What work at this level looks like."
    points = factory.Sequence(lambda n: n)


def make_published_rubric(
    criteria: int = 3, levels: int = 4, weights=None, competencies=None, **rubric_kwargs
):
    """A valid rubric published through `rubrics.services.publish`.

    Level points are 0, 1, 2, ... in order; `weights` (one per criterion) default to 1;
    `competencies` (one list of Competency per criterion) default to none.
    """
    from rubrics import services

    rubric = RubricFactory(**rubric_kwargs)
    for c in range(criteria):
        criterion = CriterionFactory(
            rubric=rubric,
            sort_order=c,
            title=f"Criterion {c + 1}",
            weight=weights[c] if weights else 1,
            competencies=competencies[c] if competencies else None,
        )
        for lv in range(levels):
            LevelFactory(criterion=criterion, sort_order=lv, label=f"Level {lv + 1}", points=lv)
    return services.publish(rubric)


# --- assessments: marking ---------------------------------------------------------------------

from assessments.models import Assessment  # noqa: E402


def submitted_reflection(learner, **kwargs):
    """A submitted (markable) reflection of `learner`."""
    kwargs.setdefault("status", Reflection.Status.SUBMITTED)
    kwargs.setdefault("submitted_at", timezone.now())
    return ReflectionFactory(learner=learner, **kwargs)


def mark(reflection, rubric, assessor, levels=None, finalise=False, overall_comment="Thoughtful piece."):
    """Mark `reflection` through `assessments.services` (so every rule applies).

    `levels`: a level index per criterion (in rubric order; None leaves it unscored), or one
    int for every criterion; default: the highest level everywhere.
    """
    from assessments import services

    criteria = services.rubric_criteria(rubric)
    if levels is None or isinstance(levels, int):
        levels = [levels if levels is not None else -1] * len(criteria)
    scores = []
    for criterion, index in zip(criteria, levels, strict=False):
        if index is None:
            continue
        level = list(criterion.levels.all())[index]
        scores.append({"criterion": criterion.pk, "level": level.pk, "comment": f"On {criterion.title}."})
    assessment = services.create_assessment(reflection, rubric, assessor, scores, overall_comment, via="test")
    if finalise:
        assessment = services.finalise(assessment, assessor)
    return assessment


class AssessmentFactory(factory.django.DjangoModelFactory):
    """A bare draft assessment row (no rules applied): for fixtures that need one quickly.
    Prefer `mark(...)`, which goes through the services."""

    class Meta:
        model = Assessment

    reflection = factory.SubFactory(ReflectionFactory, status=Reflection.Status.SUBMITTED)
    rubric = factory.LazyFunction(make_published_rubric)
    assessor = factory.SubFactory(UserFactory, roles=(R.TUTOR,))


# --- arcp ------------------------------------------------------------------------------------


def arcp_finalised_assessment(reflection, rubric, assessor, level_index=-1, finalised_at=None, **kwargs):
    """A finalised assessment written straight to the DB (ARCP tests read, never mark):
    level `level_index` chosen for every criterion, totals from the rubric's scoring maths."""
    from assessments.models import Score
    from rubrics import scoring
    from rubrics.models import Criterion as ArcpCriterion

    criteria = ArcpCriterion.objects.filter(rubric=rubric).order_by("sort_order", "pk")
    criteria = criteria.prefetch_related("levels")
    chosen = {c.pk: list(c.levels.all())[level_index] for c in criteria}
    result = scoring.score(rubric, chosen)
    assessment = Assessment.objects.create(
        reflection=reflection,
        rubric=rubric,
        assessor=assessor,
        status=Assessment.Status.FINALISED,
        finalised_at=finalised_at or timezone.now(),
        total=result.total,
        max_score=result.max_score,
        overall_comment=kwargs.pop(
            "overall_comment", "Clear links between the home visit and housing policy."
        ),
        **kwargs,
    )
    Score.objects.bulk_create(
        Score(assessment=assessment, criterion_id=cid, level=level, comment=f"Comment on criterion {n + 1}.")
        for n, (cid, level) in enumerate(chosen.items())
    )
    return assessment


def arcp_feedback(learner, occurred_on, anonymous=False, name="Maureen Doyle", withdrawn=False, **kwargs):
    """A patient-representative feedback row (with its used invitation)."""
    import secrets

    from feedback.models import Feedback, FeedbackInvitation

    invitation = FeedbackInvitation.objects.create(
        learner=learner,
        context_title=kwargs.get("context_title", "Lived-experience session"),
        occurred_on=occurred_on,
        token_hash=secrets.token_hex(32),
        expires_at=timezone.now() + datetime.timedelta(days=14),
        used_at=timezone.now(),
    )
    feedback = Feedback.objects.create(
        invitation=invitation,
        learner=learner,
        context_title=invitation.context_title,
        occurred_on=occurred_on,
        ratings=kwargs.get("ratings", {"listening": 5, "respect": 4, "circumstances": 4}),
        comments=kwargs.get("comments", "They listened to how the bus routes affect my appointments."),
        anonymous=anonymous,
        respondent_role="patient_representative",
        respondent_name="" if anonymous else name,
        withdrawn_at=timezone.now() if withdrawn else None,
        withdrawal_reason="Given in error." if withdrawn else "",
    )
    # Received the evening of the session (submitted_at is auto_now_add, so set it after).
    received = kwargs.get("submitted_at") or timezone.make_aware(
        datetime.datetime.combine(occurred_on, datetime.time(20))
    )
    Feedback.objects.filter(pk=feedback.pk).update(submitted_at=received)
    feedback.submitted_at = received
    return feedback


def arcp_reflection(learner, occurred_on, status=Reflection.Status.SUBMITTED, themes=(), **kwargs):
    """A reflection as ARCP evidence: submitted (or `status`) with `submitted_at` and themes
    given as codes of the social-accountability framework."""
    from rubrics.models import Competency

    kwargs.setdefault(
        "submitted_at", timezone.make_aware(datetime.datetime.combine(occurred_on, datetime.time(18)))
    )
    if status == Reflection.Status.DRAFT:
        kwargs["submitted_at"] = None
    reflection = ReflectionFactory(learner=learner, occurred_on=occurred_on, status=status, **kwargs)
    if themes:
        reflection.themes.set(Competency.objects.themes().filter(code__in=themes))
    return reflection


class ArcpExportFactory(factory.django.DjangoModelFactory):
    """A bare export row (no file). Real packs come from `arcp.services.build_pack`."""

    class Meta:
        model = "arcp.ArcpExport"

    learner = factory.SubFactory(LearnerFactory)
    period_from = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=365))
    period_to = factory.LazyFunction(timezone.localdate)
    sha256 = factory.Sequence(lambda n: f"{n:064x}")


class ArcpReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "arcp.ArcpReview"

    export = factory.SubFactory(ArcpExportFactory)
    learner = factory.SelfAttribute("export.learner")
    period_from = factory.SelfAttribute("export.period_from")
    period_to = factory.SelfAttribute("export.period_to")
    outcome = "1"
    examiner = factory.SubFactory(UserFactory, roles=(R.EXAMINER,))


# --- feedback: patient-representative feedback ---------------------------------------------
from feedback.models import Feedback, FeedbackInvitation  # noqa: E402


def feedback_invitation(learner, by=None, *, expires_in_days=14, used=False, email="", **kwargs):
    """A feedback invitation with a known raw token: returns ``(invitation, raw_token)``.
    Made directly (not through the service) so tests can build expired or used links."""
    from feedback import services as fb

    raw = fb.new_token()
    now = timezone.now()
    invitation = FeedbackInvitation.objects.create(
        learner=learner,
        created_by=by,
        context_title=kwargs.pop("context_title", "Lived-experience session: living with psychosis"),
        occurred_on=kwargs.pop("occurred_on", timezone.localdate() - datetime.timedelta(days=2)),
        email=email,
        token_hash=fb.hash_token(raw),
        expires_at=now + datetime.timedelta(days=expires_in_days),
        used_at=now if used else None,
        **kwargs,
    )
    return invitation, raw


class FeedbackFactory(factory.django.DjangoModelFactory):
    """Stored feedback on `learner` (through a spent invitation)."""

    class Meta:
        model = Feedback

    learner = factory.SubFactory(LearnerFactory)
    invitation = factory.LazyAttribute(lambda f: feedback_invitation(f.learner, used=True)[0])
    context_title = factory.LazyAttribute(lambda f: f.invitation.context_title)
    occurred_on = factory.LazyAttribute(lambda f: f.invitation.occurred_on)
    ratings = factory.LazyFunction(lambda: {"listening": 5, "respect": 4, "circumstances": None})
    comments = "They asked about my stairs at home, which nobody had before."
    anonymous = False
    respondent_role = Feedback.RespondentRole.PATIENT_REP
    respondent_name = "Maureen Doyle"


def api_token(user) -> str:
    """A new API token key for `user` (as `POST /api/v1/auth/token/` would give)."""
    return tokens.issue(user)[1]
