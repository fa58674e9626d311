"""Feedback and its invitations move to the `feedback` app. State only: the tables
`assessments_feedback` and `assessments_feedbackinvitation` stay, and the new app's models
keep using them (`db_table`)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("assessments", "0003_marking_guards_moderation_request")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Feedback"),
                migrations.DeleteModel(name="FeedbackInvitation"),
            ]
        ),
    ]
