from django.apps import AppConfig


class ReflectConfig(AppConfig):
    """The bottom layer every other app of ours builds on: roles, people, domain errors, the
    audit log, sanitising, the API toolkit and the site layout."""

    name = "reflect"
    verbose_name = "Reflect core"
    default_auto_field = "django.db.models.BigAutoField"
