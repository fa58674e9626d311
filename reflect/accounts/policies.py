"""Who may see invitations and send them (the admin's Invitations list, "Send again",
`manage.py invite` runs as the system)."""

from __future__ import annotations

from reflect import policies
from reflect import roles as R
from reflect.models import Invitation

SEND = "send"


class InvitationPolicy(policies.Policy):
    """Programme admins see every invited person's newest invitation and may send a fresh
    one to any active person; nobody else sees or sends them."""

    actions = (SEND,)
    not_found_message = "No such invitation."

    def visible(self, user):
        if R.has_role(user, R.ADMIN):
            return Invitation.objects.all()
        return Invitation.objects.none()

    def role_may(self, user, action) -> bool:
        return action in (policies.VIEW, SEND) and R.has_role(user, R.ADMIN)

    def permits(self, user, action, obj) -> bool:
        if action == SEND:  # `obj` is the person to invite
            return R.has_role(user, R.ADMIN) and obj is not None and obj.is_active
        return super().permits(user, action, obj)


invitations = policies.register("reflect.invitations", InvitationPolicy(Invitation))
