"""Wagtail admin for the assessments app; each part declares its viewsets in its own module."""

from . import feedback_admin  # noqa: F401, I001
from . import marking_admin  # noqa: F401, I001
