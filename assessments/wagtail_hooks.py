"""Wagtail admin for the assessments app: marking and moderation (`marking_admin`), and the
app's contributions to the site (navigation, evidence counts)."""

from django.db.models import OuterRef
from wagtail import hooks

from portfolio import counts

from . import (
    marking_admin,  # noqa: F401
    policies,
)


@hooks.register(counts.HOOK)
def assessment_counts():
    released = policies.assessments.released()
    return {"assessment_count": released.filter(reflection__learner=OuterRef("pk"))}
