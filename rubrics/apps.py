from django.apps import AppConfig


class RubricsConfig(AppConfig):
    name = "rubrics"
    verbose_name = "Rubrics and competency frameworks"
    default_auto_field = "django.db.models.BigAutoField"
