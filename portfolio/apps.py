from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    name = "portfolio"
    verbose_name = "Portfolio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Django's documented place to connect signal receivers: they import models, which
        # cannot be imported before the app registry is ready.
        from . import signals  # noqa: F401
