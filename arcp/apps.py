from django.apps import AppConfig


class ArcpConfig(AppConfig):
    name = "arcp"
    verbose_name = "ARCP evidence and reviews"
    default_auto_field = "django.db.models.BigAutoField"
