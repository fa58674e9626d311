from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """Feedback from people without accounts (patients, carers, partners, supervisors,
    colleagues) through one-time links."""

    name = "feedback"
    verbose_name = "Feedback"
    default_auto_field = "django.db.models.BigAutoField"
