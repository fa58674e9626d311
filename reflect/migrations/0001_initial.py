"""The audit log, moved here from `portfolio` (state only: the table `portfolio_auditevent`
is the one portfolio's migrations created and altered)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def carry_over_content_types(apps, schema_editor):
    """Rename the content types of the moved models, so that permissions and anything else
    pointing at them follow the models to `reflect`."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ('auditevent',):
        if not ContentType.objects.filter(app_label="reflect", model=model).exists():
            ContentType.objects.filter(app_label="portfolio", model=model).update(app_label="reflect")


def put_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ('auditevent',):
        if not ContentType.objects.filter(app_label="portfolio", model=model).exists():
            ContentType.objects.filter(app_label="reflect", model=model).update(app_label="portfolio")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("portfolio", "0005_auditevent_moves_to_reflect"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(help_text='e.g. read, export, submit', max_length=64)),
                        ('object_type', models.CharField(blank=True, max_length=64)),
                        ('object_id', models.CharField(blank=True, max_length=64)),
                        ('via', models.CharField(blank=True, help_text='api, site, admin, export, task', max_length=16)),
                        ('detail', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('actor', models.ForeignKey(db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('learner', models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'portfolio_auditevent',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['learner', 'created_at'], name='portfolio_a_learner_8f07b4_idx'), models.Index(fields=['actor', 'created_at'], name='portfolio_a_actor_i_1ee308_idx')],
                    },
                ),
                ],
        ),
        migrations.RunPython(carry_over_content_types, put_content_types_back),
    ]
