from django.db import migrations


def grant_admin_permissions(apps, schema_editor):
    """Programme admins set colleague-round rules in the Wagtail admin."""
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("feedback")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, apps=apps)
    app_config.models_module = None
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    admin, _ = Group.objects.get_or_create(name="admin")
    codenames = [f"{action}_colleagueroundrule" for action in ("add", "change", "delete", "view")]
    admin.permissions.add(*Permission.objects.filter(content_type__app_label="feedback", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("feedback", "0003_respondent_types_instruments")]

    operations = [migrations.RunPython(grant_admin_permissions, migrations.RunPython.noop)]
