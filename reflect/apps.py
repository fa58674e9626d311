from django.apps import AppConfig


class ReflectConfig(AppConfig):
    """The bottom layer every other app of ours builds on: roles, people, domain errors, the
    audit log, sanitising, the API toolkit, the site layout and accounts (sign-in,
    invitations, single sign-on, two-factor sign-in)."""

    name = "reflect"
    verbose_name = "Reflect core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from .accounts import receivers  # noqa: F401  (connects the account signals)
