"""ARCP: evidence written straight to the database (ARCP tests read, never mark), exports and
reviews."""

import datetime
import secrets

import factory
from django.utils import timezone

from assessments.models import Assessment, Score
from feedback.models import Feedback, FeedbackInvitation
from portfolio.models import Reflection
from reflect import roles as R
from rubrics import scoring
from rubrics.models import Competency, Criterion

from .people import UserFactory
from .portfolio import LearnerFactory, ReflectionFactory


def arcp_finalised_assessment(reflection, rubric, assessor, level_index=-1, finalised_at=None, **kwargs):
    """A finalised assessment written straight to the DB (ARCP tests read, never mark):
    level `level_index` chosen for every criterion, totals from the rubric's scoring maths."""
    criteria = Criterion.objects.filter(rubric=rubric).order_by("sort_order", "pk")
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


def signed_supervisor_report(
    learner, period_from=None, period_to=None, author=None, signed_at=None, **kwargs
):
    """A signed educational supervisor's report written straight to the DB (state changes are
    tested through `arcp.services.supervision`): signed an hour ago at the latest, and before
    the end of `period_to`, so packs made from now on hold it and outcomes 1 and 6 may be
    recorded against them."""
    from arcp.evidence import cutoff_end
    from arcp.models import SupervisorReport

    period_to = period_to or timezone.localdate()
    period_from = period_from or period_to - datetime.timedelta(days=365)
    if isinstance(period_from, str):
        period_from = datetime.date.fromisoformat(period_from)
    if isinstance(period_to, str):
        period_to = datetime.date.fromisoformat(period_to)
    author = author or UserFactory(roles=(R.TUTOR,))
    hour = datetime.timedelta(hours=1)
    signed_at = signed_at or min(timezone.now() - hour, cutoff_end(period_to) - hour)
    kwargs.setdefault("recommendation", SupervisorReport.Recommendation.SATISFACTORY)
    kwargs.setdefault("progress", "Steady progress across the social-accountability themes.")
    return SupervisorReport.objects.create(
        learner=learner,
        author=author,
        period_from=period_from,
        period_to=period_to,
        status=SupervisorReport.Status.SIGNED,
        shared_at=signed_at,
        signed_at=signed_at,
        **kwargs,
    )
