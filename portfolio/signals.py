"""Signal handlers: drop the cached roles when a user's groups change; forget the cached
portfolio URL when pages or sites change; audit rubric status changes (`rubrics` depends on
no other app, so it signals and the audit log listens)."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from reflect import audit
from rubrics.services import status_changed

from .models import Attachment
from .site import forget_portfolio_root


@receiver(m2m_changed, sender=get_user_model().groups.through)
def forget_cached_roles(sender, instance, **kwargs):
    if hasattr(instance, "_portfolio_roles"):
        del instance._portfolio_roles


@receiver(post_save)
@receiver(post_delete)
def forget_portfolio_root_on_page_or_site_change(sender, instance=None, **kwargs):
    # Any page: renaming or moving an ancestor changes the portfolio page's URL too.
    if isinstance(instance, (Page, Site)):
        forget_portfolio_root()


@receiver(page_published)
@receiver(page_unpublished)
@receiver(post_page_move)
def forget_portfolio_root_on_page_event(sender, **kwargs):
    forget_portfolio_root()


def _audit_rubric_status(sender, rubric, action, by=None, **kwargs):
    audit.record(by, f"rubric_{action}", obj=rubric, via="admin", slug=rubric.slug, version=rubric.version)


def connect_rubric_audit():
    status_changed.connect(_audit_rubric_status, dispatch_uid="portfolio-audit-rubric-status")


connect_rubric_audit()


@receiver(post_delete, sender=Attachment)
def delete_attachment_bytes(sender, instance, **kwargs):
    """An attachment's bytes go when its row does (removed, or with its reflection), once the
    deletion is committed (a rolled-back deletion keeps them)."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
