"""Invitations and feedback, moved here from `assessments` (state only: the tables
`assessments_feedbackinvitation` and `assessments_feedback` are the ones assessments'
migrations created)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def carry_over_content_types(apps, schema_editor):
    """Rename the content types of the moved models, so that permissions and anything else
    pointing at them follow the models to `feedback`."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ('feedbackinvitation', 'feedback'):
        if not ContentType.objects.filter(app_label="feedback", model=model).exists():
            ContentType.objects.filter(app_label="assessments", model=model).update(app_label="feedback")


def put_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ('feedbackinvitation', 'feedback'):
        if not ContentType.objects.filter(app_label="assessments", model=model).exists():
            ContentType.objects.filter(app_label="feedback", model=model).update(app_label="assessments")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("assessments", "0004_feedback_moves_to_feedback_app"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FeedbackInvitation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('context_title', models.CharField(max_length=255)),
                        ('occurred_on', models.DateField()),
                        ('email', models.EmailField(blank=True, max_length=254)),
                        ('token_hash', models.CharField(editable=False, max_length=64, unique=True)),
                        ('expires_at', models.DateTimeField()),
                        ('used_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('learner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback_invitations', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'assessments_feedbackinvitation',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Feedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('context_title', models.CharField(max_length=255)),
                        ('occurred_on', models.DateField()),
                        ('ratings', models.JSONField(default=dict)),
                        ('comments', models.TextField(blank=True, help_text='Plain text; markup is stripped on the way in.')),
                        ('anonymous', models.BooleanField(default=False)),
                        ('respondent_role', models.CharField(choices=[('patient_representative', 'Patient representative'), ('carer', 'Carer'), ('community_member', 'Community member')], max_length=32)),
                        ('respondent_name', models.CharField(blank=True, max_length=150)),
                        ('submitted_at', models.DateTimeField(auto_now_add=True)),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True)),
                        ('withdrawal_reason', models.TextField(blank=True)),
                        ('learner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback_received', to=settings.AUTH_USER_MODEL)),
                        ('withdrawn_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('invitation', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='feedback', to='feedback.feedbackinvitation')),
                    ],
                    options={
                        'verbose_name_plural': 'feedback',
                        'db_table': 'assessments_feedback',
                        'ordering': ['-submitted_at'],
                    },
                ),
                ],
        ),
        migrations.RunPython(carry_over_content_types, put_content_types_back),
    ]
