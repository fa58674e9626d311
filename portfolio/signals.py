"""Signal handlers: drop the cached roles when a user's groups change; audit rubric status
changes (`rubrics` depends on no other app, so it signals and the audit log listens)."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed
from django.dispatch import receiver


@receiver(m2m_changed, sender=get_user_model().groups.through)
def forget_cached_roles(sender, instance, **kwargs):
    if hasattr(instance, "_portfolio_roles"):
        del instance._portfolio_roles


def _audit_rubric_status(sender, rubric, action, by=None, **kwargs):
    from . import audit

    audit.record(by, f"rubric_{action}", obj=rubric, via="admin", slug=rubric.slug, version=rubric.version)


def connect_rubric_audit():
    from rubrics.services import status_changed

    status_changed.connect(_audit_rubric_status, dispatch_uid="portfolio-audit-rubric-status")


connect_rubric_audit()
