"""Signal handlers: drop the cached roles when a user's groups change."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed
from django.dispatch import receiver


@receiver(m2m_changed, sender=get_user_model().groups.through)
def forget_cached_roles(sender, instance, **kwargs):
    if hasattr(instance, "_portfolio_roles"):
        del instance._portfolio_roles
