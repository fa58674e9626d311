"""Wagtail admin pieces every app uses: read-only viewsets whose access and contents come
from the app's policy (`reflect.policies.AdminDoor`), so the admin shows exactly what the
policy lets a programme admin see, and nothing can be added, changed or deleted there."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import path
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet

from . import audit
from . import roles as R
from .policies import VIEW, AdminDoor, Policy


def is_programme_admin(user) -> bool:
    """Programme admins (the `admin` role; superusers hold it implicitly)."""
    return R.has_role(user, R.ADMIN)


class PolicyIndexView(IndexView):
    """A list whose rows are what the policy lets the user see (`list_select_related` says
    what to join for the columns)."""

    list_select_related: tuple[str, ...] = ()

    def get_base_queryset(self):
        queryset = self.permission_policy.instances_user_has_permission_for(self.request.user, VIEW)
        return queryset.select_related(*self.list_select_related) if self.list_select_related else queryset


class PolicyInspectView(InspectView):
    """One object the policy lets the user see; anything else is 404, whether or not it
    exists (the object is looked up only after the admin's permission check). Reading an
    object about a learner is a read of their portfolio: recorded in the audit log
    (`learner_of` says whose; None records nothing)."""

    inspect_select_related: tuple[str, ...] = ()

    def setup(self, request, *args, **kwargs):
        # Wagtail's InspectView loads the object here, before dispatch() checks permission;
        # load it in get() instead, so that refused users never reach the lookup.
        super(InspectView, self).setup(request, *args, **kwargs)
        self.pk = self.kwargs[self.pk_url_kwarg]
        self.fields = self.get_fields()

    def get_object(self, queryset=None):
        queryset = self.permission_policy.instances_user_has_permission_for(self.request.user, VIEW)
        if self.inspect_select_related:
            queryset = queryset.select_related(*self.inspect_select_related)
        return get_object_or_404(queryset, pk=self.pk)

    def learner_of(self, obj):
        return getattr(obj, "learner", None)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        learner = self.learner_of(self.object)
        if learner is not None:
            audit.record(request.user, "read", learner=learner, obj=self.object, via="admin")
        return super().get(request, *args, **kwargs)


class ReadOnlyAdminViewSet(ModelViewSet):
    """List and inspect only, for programme admins: no add, edit, copy, delete or history URLs
    exist at all. Set `policy` to the app's policy of the model."""

    policy: Policy
    index_view_class = PolicyIndexView
    inspect_view_class = PolicyInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False
    list_per_page = 50

    @property
    def permission_policy(self):
        return AdminDoor(self.policy)

    def get_urlpatterns(self):
        conv = self.pk_path_converter
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(f"inspect/<{conv}:pk>/", self.inspect_view, name="inspect"),
        ]

    def get_permissions_to_register(self):
        return []  # access follows the admin role, not per-model permissions

    def register_admin_url_finder(self):
        pass  # there is no edit URL to find


class WhenColumn(Column):
    """A date column that reads right for the past and the future: "12 Jan 2027 (in 1 month)",
    "3 Nov 2026 (4 weeks ago)"; Wagtail's DateColumn says "Just now" for any future moment."""

    cell_template_name = "reflect/admin/when_cell.html"
