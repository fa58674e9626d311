from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_save, pre_save


class ReflectConfig(AppConfig):
    """The bottom layer every other app of ours builds on: roles, people, domain errors, the
    audit log, API tokens, sanitising, the API toolkit, the site layout and accounts (sign-in,
    invitations, single sign-on, two-factor sign-in)."""

    name = "reflect"
    verbose_name = "Reflect core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import tokens

        # Every door that changes a password or deactivates an account revokes API tokens.
        user_model = settings.AUTH_USER_MODEL
        pre_save.connect(tokens.note_credential_change, sender=user_model, dispatch_uid="reflect-tok")
        post_save.connect(tokens.revoke_on_credential_change, sender=user_model, dispatch_uid="reflect-tok")
        # The lockout check imports django-axes' backend, which needs the auth models: only
        # once apps are loaded.
        from . import checks  # noqa: F401  (registers the system check)
        from .accounts import receivers  # noqa: F401  (connects the account signals)
