"""Permission policies: the one place that answers "what may this person see, and may they
do this to that object?" for each type of object.

Each app declares a policy per model in its `policies.py` (a subclass of `Policy`) and
registers it (`register`). Every door asks the same policy: services before a state change
(`require`), site views for what they list and which buttons they show (`visible`, `can`,
the `{% can %}` template tag), the Wagtail admin (policies are Wagtail permission policies,
see `AdminDoor`), the API (querysets and object lookups), search (within `visible`), the
ARCP evidence gatherer and the subject-access export. Nothing else filters by role.

A policy answers two questions separately, so that each door can give the right answer:

- who: `permits(user, action, obj)`: may this person ever do this to this object?
  (No → `PermissionDenied`, 403; an object they may not even see → `NotFound`, 404.)
- when: `blocked(action, obj)`: does the object's state forbid it now? (A message →
  `Conflict`, 409: e.g. a submitted reflection cannot be edited.)

`can()` is both (what a button needs); `require()` raises the matching domain error.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from wagtail.permission_policies.base import BasePermissionPolicy

from . import roles as R
from .errors import Conflict, NotFound, PermissionDenied

VIEW = "view"


class Policy(BasePermissionPolicy):
    """The rules of one model.

    Subclasses implement `visible(user)` and, for each action beyond "view",
    `permits(user, action, obj)` (and `blocked(action, obj)` where the state matters).
    `scope(user, action)` gives the queryset of objects a user may do `action` to; override
    it for actions used to build lists (e.g. "the reflections I may review").
    """

    #: Actions beyond "view" that this policy answers.
    actions: tuple[str, ...] = ()
    #: The words for "not found" in errors ("No such reflection.").
    not_found_message = "Not found."

    # --- What a person may see -----------------------------------------------------------
    def visible(self, user) -> QuerySet:
        """Every object `user` may see (a queryset; none for anonymous or inactive users)."""
        raise NotImplementedError

    def is_visible(self, user, obj) -> bool:
        return obj is not None and obj.pk is not None and self.visible(user).filter(pk=obj.pk).exists()

    def get(self, user, pk, queryset: QuerySet | None = None):
        """The object with `pk` if `user` may see it.

        Raises:
            NotFound: no such object, or outside the user's scope (the same answer).
        """
        base = self.visible(user) if queryset is None else queryset & self.visible(user)
        try:
            return base.get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError, ValidationError):
            # ValidationError: a malformed id of another type (e.g. a bad UUID).
            raise NotFound(self.not_found_message) from None

    # --- What a person may do ------------------------------------------------------------
    def permits(self, user, action: str, obj) -> bool:
        """Who: may `user` do `action` to `obj` (whatever its state)? "view" is `visible`."""
        if action == VIEW:
            return self.is_visible(user, obj)
        return False

    def blocked(self, action: str, obj) -> str | None:
        """When: a message saying why `obj`'s state forbids `action` now, or None."""
        return None

    def can(self, user, action: str, obj) -> bool:
        """May `user` do `action` to `obj` now (who and when)? What buttons ask."""
        return self.permits(user, action, obj) and self.blocked(action, obj) is None

    def require(self, user, action: str, obj, *, visible: bool | None = None) -> None:
        """Raise unless `user` may do `action` to `obj` now.

        Args:
            visible: whether `user` may see `obj`, if the caller already knows.
        Raises:
            PermissionDenied: their role may never do this (to any object of this kind).
            NotFound: `user` may not see `obj` (it does not exist for them).
            PermissionDenied: they may see it but may not do this to it.
            Conflict: they may, but not in its present state.
        """
        if not self.role_may(user, action):
            raise PermissionDenied(self.denied_message(user, action, obj))
        seen = self.target_visible(user, action, obj) if visible is None else visible
        if not seen:
            raise NotFound(self.missing_message(action))
        if not self.permits(user, action, obj):
            raise PermissionDenied(self.denied_message(user, action, obj))
        message = self.blocked(action, obj)
        if message:
            raise Conflict(message)

    def missing_message(self, action: str) -> str:
        """What "not found" says for `action` (for "add", the parent is what is missing)."""
        return self.not_found_message

    def target_visible(self, user, action: str, obj) -> bool:
        """Whether `user` may see what `action` is about: the object itself, or, for actions
        that create an object ("add"), the parent it is created for (policies override)."""
        return self.is_visible(user, obj)

    def denied_message(self, user, action: str, obj) -> str:
        return "You may not do this."

    def scope(self, user, action: str = VIEW) -> QuerySet:
        """The objects `user` may do `action` to (who; states are left to the caller)."""
        if action == VIEW:
            return self.visible(user)
        raise NotImplementedError(f"{type(self).__name__} has no list for {action!r}")

    # --- Wagtail's permission-policy interface -------------------------------------------
    def user_has_permission(self, user, action):
        return self.role_may(user, action)

    def role_may(self, user, action) -> bool:
        """May someone with `user`'s roles ever do `action` to some object of this model?"""
        return bool(R.roles_of(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.can(user, action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        querysets = [self.scope(user, a) for a in actions]
        result = querysets[0]
        for qs in querysets[1:]:
            result = result | qs
        return result

    def users_with_any_permission(self, actions):
        return get_user_model().objects.filter(is_active=True, groups__name__in=R.ALL_ROLES).distinct()


class AdminDoor(BasePermissionPolicy):
    """A policy as the Wagtail admin sees it: only programme admins enter, they may view
    (list and inspect) what the policy lets them see, and nothing can be added, changed or
    deleted through the admin (changes go through the services' own screens)."""

    def __init__(self, policy: Policy):
        super().__init__(policy.model)
        self.policy = policy

    def user_has_permission(self, user, action):
        return action == VIEW and R.has_role(user, R.ADMIN)

    def user_has_any_permission(self, user, actions):
        return VIEW in actions and R.has_role(user, R.ADMIN)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and self.policy.is_visible(user, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model._default_manager.none()
        return self.policy.visible(user)

    def users_with_any_permission(self, actions):
        if VIEW not in actions:
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(Q(is_superuser=True) | Q(groups__name=R.ADMIN), is_active=True)
            .distinct()
        )


# --- Registry: which policy answers for which model ----------------------------------------
_REGISTRY: dict[type[Model], Policy] = {}
_NAMED: dict[str, Policy] = {}


def register(name: str, policy: Policy, *, default_for_model: bool = True) -> Policy:
    """Make `policy` known as `name` (e.g. "portfolio.reflections") and, unless told
    otherwise, the answer for its model (`policy_for` and the `{% can %}` template tag)."""
    _NAMED[name] = policy
    if default_for_model:
        _REGISTRY[policy.model] = policy
    return policy


def named(name: str) -> Policy:
    try:
        return _NAMED[name]
    except KeyError:
        raise LookupError(f"No policy is registered as {name!r}.") from None


def policy_for(obj_or_model) -> Policy:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    for klass in model.__mro__:
        if klass in _REGISTRY:
            return _REGISTRY[klass]
    raise LookupError(f"No policy is registered for {model.__name__}.")


def can(user, action: str, obj) -> bool:
    """`policy_for(obj).can(user, action, obj)`; False for None."""
    if obj is None:
        return False
    return policy_for(obj).can(user, action, obj)


def ids(queryset: QuerySet) -> set:
    """The primary keys of a queryset, for marking list rows (one query)."""
    return set(queryset.values_list("pk", flat=True))


def nobody(model) -> QuerySet:
    return model._default_manager.none()


def active_people(users: Iterable):
    """The users among `users` who are active (notifications go only to them)."""
    return [u for u in users if u is not None and u.is_active]
