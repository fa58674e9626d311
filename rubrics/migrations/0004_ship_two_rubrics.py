"""Ship two published rubrics as data: "Social accountability in practice" and "Depth of
reflection". Descriptors are written for this product (not copied from any source).

The content hash is computed by `rubrics.canonical.hash_from_dict`, the same pure function the
services use, over the plain dicts below, so that a shipped rubric verifies like any other.
Idempotent: a slug that already has a version 1 is left alone.
"""

from django.db import migrations
from django.utils import timezone

SA = "social_accountability"

SA_LEVELS = ["Not yet evident", "Emerging", "Established", "Exemplary"]

SOCIAL_ACCOUNTABILITY = {
    "slug": "social-accountability",
    "title": "Social accountability in practice",
    "description": (
        "Marks how far a reflection shows the learner looking past the individual presentation "
        "to the community, the systems and the power behind it. One criterion per theme of "
        "Khan et al., 'Using medical education as a tool to train doctors as social innovators', "
        "BMJ Innovations 2022;8:190-198. Mark only the criteria the reflection gives evidence for; "
        "a piece is not expected to cover every theme."
    ),
    "criteria": [
        {
            "title": "Engaging with the community",
            "description": "Goes beyond observing a community to working with it and learning from it.",
            "competencies": [f"{SA}:community_engagement"],
            "levels": [
                "The community appears only as a backdrop to a clinical encounter.",
                "Names a community or group involved, but describes it from the outside.",
                "Describes contact with community members and what they said they needed.",
                "Shows the learner working alongside community members and changing their approach as a result.",
            ],
        },
        {
            "title": "Linking community work with innovation",
            "description": "Connects what was seen in the community with new ways of meeting needs.",
            "competencies": [f"{SA}:community_working"],
            "levels": [
                "No link between the community setting and how care could be done differently.",
                "Mentions an idea for doing things differently without tying it to what was seen.",
                "Proposes a change grounded in a need observed in the community.",
                "Develops a realistic, tested or testable idea with the people it would serve.",
            ],
        },
        {
            "title": "Acting as an agent of change",
            "description": "Uses data, comparison and improvement methods to argue for a change in care.",
            "competencies": [f"{SA}:change_agent"],
            "levels": [
                "Accepts current practice as it is.",
                "Notices that something could be better, without evidence for it.",
                "Uses local data or a benchmark to show a gap and suggests a way to close it.",
                "Plans or takes part in a measured improvement and reflects on its effect and its limits.",
            ],
        },
        {
            "title": "Understanding setting and context",
            "description": "Reads the place where care happens (home, street, workplace, service) as part of the problem.",
            "competencies": [f"{SA}:context"],
            "levels": [
                "The setting is not described, or only as a location.",
                "Describes the setting, but not how it shapes the person's health or care.",
                "Explains how the setting affects access, choices or outcomes for the person.",
                "Compares settings or uses the context to rethink what good care would be here.",
            ],
        },
        {
            "title": "Working with the third sector and across borders",
            "description": (
                "Learns from voluntary and community organisations, or from health systems in low- and "
                "middle-income countries."
            ),
            "competencies": [f"{SA}:third_sector_lmic"],
            "levels": [
                "Other organisations and health systems do not feature.",
                "Mentions an organisation or another health system in passing.",
                "Describes what the organisation or system does well and what clinicians could learn.",
                "Brings that learning back into a concrete change in the learner's own practice or service.",
            ],
        },
        {
            "title": "Valuing lived experience",
            "description": "Treats patients' and carers' own accounts as knowledge, not just as history.",
            "competencies": [f"{SA}:lived_experience"],
            "levels": [
                "The patient or carer is described only through their condition.",
                "Reports what the person said about their life, without using it.",
                "Uses the person's account to question the learner's own assumptions or plan.",
                "Shows shared understanding built with the person, and how it changed the care offered.",
            ],
        },
        {
            "title": "Advocacy",
            "description": "Speaks up, or plans to, for patients and communities facing barriers.",
            "competencies": [f"{SA}:advocacy"],
            "levels": [
                "Barriers are not recognised, or seen as outside medicine.",
                "Recognises a barrier but sees no role for the doctor in addressing it.",
                "Identifies an appropriate route to raise the issue, inside or outside the service.",
                "Takes or plans proportionate action, aware of the politics and the risks involved.",
            ],
        },
        {
            "title": "Equity, diversity and power",
            "description": "Sees how racism, class, exclusion and imbalances of power shape health and care.",
            "competencies": [f"{SA}:equity_power"],
            "levels": [
                "Differences between people are not considered.",
                "Mentions a difference (ethnicity, class, disability...) without exploring its effect.",
                "Explains how inequity or power affected this person's care, including the clinician's own power.",
                "Examines the learner's own position and proposes ways to share power or reduce inequity.",
            ],
        },
    ],
}

DR_LEVELS = ["Habitual action", "Thoughtful action or introspection", "Reflection", "Critical reflection"]

DEPTH_OF_REFLECTION = {
    "slug": "depth-of-reflection",
    "title": "Depth of reflection",
    "description": (
        "Marks how deeply a piece of reflective writing works on an experience. The four levels "
        "follow the categories of reflective writing published by Kember D, et al. 'A four-category "
        "scheme for coding and assessing the level of reflection in written work', Assessment & "
        "Evaluation in Higher Education 2008;33(4):369-379: habitual action, thoughtful action or "
        "introspection, reflection, and critical reflection. The descriptors here are our own."
    ),
    "criteria": [
        {
            "title": "Description of the experience",
            "description": "How the experience is set out for the reader: what happened, where and who was involved.",
            "competencies": [],
            "levels": [
                "A routine account or a list of tasks, with little sense of what mattered.",
                "A clear account that picks out the moments that mattered and says why.",
                "The account is chosen and shaped to open up a question worth examining.",
                "The account shows the learner's own framing and questions it from the start.",
            ],
        },
        {
            "title": "Exploration of feelings and assumptions",
            "description": "How the writer looks at their own reactions and the beliefs behind them.",
            "competencies": [],
            "levels": [
                "Feelings and assumptions are absent or simply stated.",
                "Feelings are named and thought about, but the underlying beliefs are left untouched.",
                "Assumptions behind the reactions are identified and tested against the experience.",
                "Deeply held beliefs are challenged and the writer can say how their view has shifted.",
            ],
        },
        {
            "title": "Analysis using other perspectives and evidence",
            "description": "How the writer uses other people's views, theory and evidence to make sense of events.",
            "competencies": [],
            "levels": [
                "No other perspective; what happened is taken at face value.",
                "Refers to guidance, theory or other views, mostly to explain or justify what was done.",
                "Weighs several perspectives or sources and uses them to reach a reasoned interpretation.",
                "Uses perspectives and evidence to question the premises of practice, not only the practice.",
            ],
        },
        {
            "title": "Learning and action",
            "description": "What the writer takes away, and what they will do differently.",
            "competencies": [],
            "levels": [
                "No learning drawn, or a general intention to 'do better'.",
                "A specific lesson for the writer's own practice next time.",
                "Learning that is justified by the analysis, with a concrete plan to try it.",
                "A change in perspective that reaches beyond the case, with a plan to act on it and review it.",
            ],
        },
    ],
}


def plain(spec, labels):
    """Turn the compact spec into the plain dict the canonical helper hashes."""
    return {
        "slug": spec["slug"],
        "title": spec["title"],
        "description": spec["description"],
        "criteria": [
            {
                "title": c["title"],
                "description": c["description"],
                "weight": "1.00",
                "competencies": c["competencies"],
                "levels": [
                    {"label": label, "descriptor": text, "points": points}
                    for points, (label, text) in enumerate(zip(labels, c["levels"], strict=True))
                ],
            }
            for c in spec["criteria"]
        ],
    }


def create(apps, schema_editor):
    from rubrics.canonical import hash_from_dict

    Rubric = apps.get_model("rubrics.Rubric")
    Criterion = apps.get_model("rubrics.Criterion")
    Level = apps.get_model("rubrics.Level")
    Competency = apps.get_model("rubrics.Competency")
    Through = Criterion._meta.get_field("competencies").remote_field.through
    now = timezone.now()
    for spec, labels in ((SOCIAL_ACCOUNTABILITY, SA_LEVELS), (DEPTH_OF_REFLECTION, DR_LEVELS)):
        if Rubric.objects.filter(slug=spec["slug"], version=1).exists():
            continue
        data = plain(spec, labels)
        rubric = Rubric.objects.create(
            slug=data["slug"],
            title=data["title"],
            description=data["description"],
            version=1,
            status="published",
            published_at=now,
            content_hash=hash_from_dict(data),
        )
        for c_order, c in enumerate(data["criteria"]):
            criterion = Criterion.objects.create(
                rubric=rubric, sort_order=c_order, title=c["title"], description=c["description"], weight=1
            )
            # The historical model's ParentalManyToManyField defers `add` until a cluster
            # save that never comes here: write the through rows directly.
            for ref in c["competencies"]:
                framework_code, code = ref.split(":")
                Through.objects.create(
                    criterion=criterion,
                    competency=Competency.objects.get(framework__code=framework_code, code=code),
                )
            for l_order, level in enumerate(c["levels"]):
                Level.objects.create(criterion=criterion, sort_order=l_order, **level)


def remove(apps, schema_editor):
    Rubric = apps.get_model("rubrics.Rubric")
    for slug in (SOCIAL_ACCOUNTABILITY["slug"], DEPTH_OF_REFLECTION["slug"]):
        Rubric.objects.filter(slug=slug, version=1, next_versions__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("rubrics", "0003_rubric_published_by_and_validators")]
    operations = [migrations.RunPython(create, remove)]
