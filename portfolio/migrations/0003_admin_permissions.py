"""Give the programme-admin group the model permissions the Wagtail snippet viewsets ask for.

Permissions are normally created by a post_migrate signal, i.e. after this migration would
run on a fresh database, so create them here first (idempotent).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PROGRAMME_MODELS = ("cohort", "enrolment", "allocation", "panel", "placement")
ACTIONS = ("add", "change", "delete", "view")


def grant_admin_permissions(apps, schema_editor):
    app_config = apps.get_app_config("portfolio")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None

    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    admin, _ = Group.objects.get_or_create(name="admin")
    codenames = [f"{action}_{model}" for model in PROGRAMME_MODELS for action in ACTIONS]
    admin.permissions.add(
        *Permission.objects.filter(content_type__app_label="portfolio", codename__in=codenames)
    )


def revoke_admin_permissions(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    codenames = [f"{action}_{model}" for model in PROGRAMME_MODELS for action in ACTIONS]
    for group in Group.objects.filter(name="admin"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="portfolio", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0002_role_groups"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant_admin_permissions, revoke_admin_permissions)]
