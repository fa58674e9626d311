"""The study's eight social-accountability themes ship as data (design.md).

Codes are stable identifiers; titles may be edited by admins.
"""

from django.db import migrations

THEMES = [
    ("community_engagement", "Community engagement",
     "Social-innovation training as a bridge to real engagement with communities."),
    ("community_working", "Working in the community",
     "Linking work in the community with social innovation."),
    ("change_agent", "Change agent",
     "Using data, benchmarks and improvement methods to change how care is delivered."),
    ("context", "Settings, context and environment",
     "Learning outside the classroom: where people live, work and seek care."),
    ("third_sector_lmic", "Third sector and low/middle-income countries",
     "Links with voluntary organisations and with health systems in low- and middle-income countries."),
    ("lived_experience", "Lived experience",
     "Learners' perspectives and the lived experience of patients and carers."),
    ("advocacy", "Advocacy",
     "Medicine is political: speaking up for patients and communities."),
    ("equity_power", "Equity and power",
     "Racism, diversity, class, inclusion and imbalances of power."),
]


def create(apps, schema_editor):
    Framework = apps.get_model("rubrics.Framework")
    Competency = apps.get_model("rubrics.Competency")
    framework, _ = Framework.objects.get_or_create(
        code="social_accountability",
        defaults={
            "title": "Social accountability",
            "description": "The eight themes of Khan et al., BMJ Innovations 2022;8:190-198.",
        },
    )
    for order, (code, title, description) in enumerate(THEMES):
        Competency.objects.get_or_create(
            framework=framework, code=code,
            defaults={"title": title, "description": description, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("rubrics", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
