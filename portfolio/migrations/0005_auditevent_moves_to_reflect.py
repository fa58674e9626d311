"""The audit log moves to the `reflect` app (the bottom layer). State only: the table
`portfolio_auditevent` stays where it is and `reflect.AuditEvent` keeps using it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("portfolio", "0004_audit_fewer_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="AuditEvent")]),
    ]
