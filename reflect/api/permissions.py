from rest_framework import permissions

from reflect import roles as R


class HasAnyRole(permissions.BasePermission):
    """Allow only people holding one of `roles` (403 otherwise; 401 without credentials)."""

    roles: tuple[str, ...] = ()
    message = "Your role may not do this."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        return bool(set(R.roles_of(request.user)) & set(self.roles))

    @classmethod
    def of(cls, *roles: str):
        return type(f"HasAnyRole_{'_'.join(roles)}", (cls,), {"roles": roles})


NotPatientRep = HasAnyRole.of(R.LEARNER, R.TUTOR, R.EXAMINER, R.ADMIN)
