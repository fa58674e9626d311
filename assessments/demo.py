"""Demo data for assessments (`seed_demo`), marking part: draft and finalised assessments on
the seeded submitted / signed-off reflections with the shipped published rubrics, one
superseded correction, and one double-marked set for moderation (two markers, a few
reflections). Everything goes through `assessments.services`, so the demo obeys the rules.

Idempotent: a reflection that already has a marking is left alone; the correction and the
second markings are made once. If no non-draft reflection exists, nothing is created.
"""

from __future__ import annotations

from portfolio.models import Allocation, Reflection
from reflect import roles as R
from rubrics.models import Rubric

from . import services
from .models import Assessment, ModerationRequest

COMMENTS = [
    "Links the home visit to housing and transport clearly; say more about what you would change.",
    "Good use of the patient's own words. Push further on who holds power in this story.",
    "Thoughtful, but stays descriptive: what does this mean for your practice next month?",
    "Strong on context; name the organisations you could work with.",
]


def _levels(ctx, rubric, bias: int, complete: bool = True) -> list[dict]:
    scores = []
    for n, criterion in enumerate(services.rubric_criteria(rubric)):
        levels = list(criterion.levels.all())
        if not levels or (not complete and n % 2 == 1):
            continue
        index = max(0, min(len(levels) - 1, bias + ctx.rng.choice((-1, 0, 0, 1))))
        scores.append(
            {"criterion": criterion.pk, "level": levels[index].pk, "comment": ctx.rng.choice(COMMENTS)}
        )
    return scores


def seed(ctx) -> None:
    """Create the marking demo data (see the module docstring).

    Args:
        ctx: the `portfolio.demo.DemoContext` of the run.
    Returns:
        None.
    """
    rubrics = Rubric.objects.latest_published()
    if not rubrics:
        ctx.log("Assessments: no published rubric, no marking created.")
        return
    learner_ids = [u.pk for u in ctx.learners]
    reflections = list(
        Reflection.objects.filter(learner_id__in=learner_ids)
        .exclude(status=Reflection.Status.DRAFT)
        .select_related("learner")
        .order_by("learner__username", "pk")
    )
    if not reflections:
        ctx.log("Assessments: no submitted reflections yet, no marking created.")
        return

    created = 0
    finalised: list[Assessment] = []
    for n, reflection in enumerate(reflections):
        allocation = (
            Allocation.objects.current()
            .filter(learner=reflection.learner)
            .select_related("tutor")
            .order_by("pk")
            .first()
        )
        if allocation is None or not R.has_role(allocation.tutor, R.TUTOR):
            continue
        tutor = allocation.tutor
        existing = (
            Assessment.objects.filter(reflection=reflection, moderation_of__isnull=True)
            .order_by("pk")
            .first()
        )
        if existing is not None:
            if existing.is_finalised and not existing.is_superseded:
                finalised.append(existing)
            continue
        rubric = rubrics[n % len(rubrics)]
        if n % 3 == 1:  # a draft in progress
            services.create_assessment(
                reflection, rubric, tutor, _levels(ctx, rubric, 1, complete=False), "", via="seed"
            )
        else:
            assessment = services.create_assessment(
                reflection, rubric, tutor, _levels(ctx, rubric, 2), ctx.rng.choice(COMMENTS), via="seed"
            )
            finalised.append(services.finalise(assessment, tutor, via="seed"))
        created += 1

    admin = ctx.admins[0] if ctx.admins else None
    # One correction: the first finalised marking is superseded by a corrected one.
    if (
        finalised
        and not Assessment.objects.filter(
            reflection__learner_id__in=learner_ids, supersedes__isnull=False
        ).exists()
    ):
        original = finalised.pop(0)
        correction = services.supersede(
            original,
            original.assessor,
            "Criterion levels were entered against the wrong row; corrected after discussion.",
            via="seed",
        )
        services.finalise(correction, original.assessor, via="seed")

    # One double-marked set: up to three finalised markings with the same rubric, second-marked
    # blind by another tutor.
    if admin is not None and finalised:
        groups: dict[tuple[int, int], list[Assessment]] = {}
        for a in finalised:
            groups.setdefault((a.rubric_id, a.assessor_id), []).append(a)
        firsts = max(groups.values(), key=len)[:4]
        first_marker = firsts[0].assessor
        second = next(
            (
                t
                for t in ctx.tutors
                if t.pk != first_marker.pk and t.username != "formertutor" and R.has_role(t, R.TUTOR)
            ),
            None,
        )
        if second is not None:
            for first in firsts:
                if first.assessor_id == second.pk:
                    continue
                request = services.request_moderation(
                    first.reflection, first.rubric, second, admin, via="seed"
                )
                if request.second_assessment_id is None:
                    bias = 1 if first.pk % 2 else 3
                    moderation = services.create_assessment(
                        first.reflection,
                        first.rubric,
                        second,
                        _levels(ctx, first.rubric, bias),
                        "",
                        via="seed",
                    )
                    services.finalise(moderation, second, via="seed")
    ctx.log(
        f"Assessments: {created} marking(s) created; "
        f"{ModerationRequest.objects.count()} second marking request(s) in total."
    )
