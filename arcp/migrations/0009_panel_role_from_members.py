"""Panel roles move onto the panel row (`portfolio.Panel.role`, portfolio 0010): copy each
`PanelMember`'s role there; backwards, give every row a `PanelMember` again."""

from django.db import migrations


def roles_to_panels(apps, schema_editor):
    Panel = apps.get_model("portfolio", "Panel")
    PanelMember = apps.get_model("arcp", "PanelMember")
    for role in PanelMember.objects.values_list("role", flat=True).distinct():
        ids = PanelMember.objects.filter(role=role).values("panel_id")
        Panel.objects.filter(pk__in=ids).update(role=role)


def roles_to_members(apps, schema_editor):
    Panel = apps.get_model("portfolio", "Panel")
    PanelMember = apps.get_model("arcp", "PanelMember")
    PanelMember.objects.all().delete()
    PanelMember.objects.bulk_create(
        [PanelMember(panel_id=pk, role=role) for pk, role in Panel.objects.values_list("pk", "role")]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("arcp", "0008_supervisor_reports_panel_members"),
        ("portfolio", "0010_panel_role"),
    ]

    operations = [migrations.RunPython(roles_to_panels, roles_to_members)]
