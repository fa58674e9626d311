from reflect import roles as R


def roles(request):
    user = getattr(request, "user", None)
    roles = R.roles_of(user) if user is not None else []
    return {"user_roles": roles, "role_labels": [R.ROLE_LABELS[r] for r in roles]}
