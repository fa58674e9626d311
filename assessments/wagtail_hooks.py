"""Wagtail admin for the assessments app: marking and moderation (`marking_admin`)."""

from . import marking_admin  # noqa: F401
