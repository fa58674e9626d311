"""Roles are Django groups; a person may hold several.

`roles_of(user)` is cached on the user object for the request so that scope checks do not
query the groups table again and again.
"""

from django.contrib.auth.models import Group

LEARNER = "learner"
TUTOR = "tutor"
PATIENT_REP = "patient_rep"
EXAMINER = "examiner"
ADMIN = "admin"
ALL_ROLES = (LEARNER, TUTOR, PATIENT_REP, EXAMINER, ADMIN)

ROLE_LABELS = {
    LEARNER: "Learner",
    TUTOR: "Tutor",
    PATIENT_REP: "Patient representative",
    EXAMINER: "Examiner",
    ADMIN: "Programme admin",
}


def roles_of(user) -> list[str]:
    """The roles `user` holds, in a fixed order. Inactive and anonymous users hold none."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_portfolio_roles", None)
    if cached is None:
        names = set(user.groups.filter(name__in=ALL_ROLES).values_list("name", flat=True))
        if user.is_superuser:
            names.add(ADMIN)
        cached = [role for role in ALL_ROLES if role in names]
        user._portfolio_roles = cached
    return cached


def has_role(user, role: str) -> bool:
    return role in roles_of(user)


def ensure_groups() -> dict[str, Group]:
    """Create the role groups if missing (used by migrations, seed_demo and tests)."""
    return {role: Group.objects.get_or_create(name=role)[0] for role in ALL_ROLES}


def grant(user, *roles: str) -> None:
    groups = ensure_groups()
    user.groups.add(*(groups[r] for r in roles))
    if hasattr(user, "_portfolio_roles"):
        del user._portfolio_roles
