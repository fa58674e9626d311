"""Who may read rubrics through the API.

The rubrics app depends on no other app of ours, so the role check reads Django groups
directly instead of importing `portfolio.roles`. Group names are the role names.
"""

from rest_framework import permissions

#: Roles that may read published rubrics: everyone but the patient representative.
READER_GROUPS = ("learner", "tutor", "examiner", "admin")


class IsRubricReader(permissions.BasePermission):
    """Authenticated and holding learner, tutor, examiner or admin (superusers count as
    admin). A patient representative (or a user with no role) gets 403; no credentials 401."""

    message = "Your role may not read rubrics."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_superuser:
            return True
        return user.groups.filter(name__in=READER_GROUPS).exists()
