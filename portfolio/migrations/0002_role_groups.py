from django.db import migrations

ROLES = ("learner", "tutor", "patient_rep", "examiner", "admin")


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    # Programme admins use the Wagtail admin.
    admin = Group.objects.get(name="admin")
    access = Permission.objects.filter(content_type__app_label="wagtailadmin", codename="access_admin")
    admin.permissions.add(*access)


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
