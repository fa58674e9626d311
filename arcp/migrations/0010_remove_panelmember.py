"""The role lives on the panel row now (`portfolio.Panel.role`; copied by 0009)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("arcp", "0009_panel_role_from_members"),
    ]

    operations = [migrations.DeleteModel(name="PanelMember")]
