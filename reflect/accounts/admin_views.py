"""Wagtail admin: the invitations list (who has not accepted yet) and "send / resend".

Declared once in reflect/wagtail_hooks.py. Programme admins (the `admin` role; superusers
hold it) may see the list and send invitations.
"""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import ListingButton

from reflect.admin import WhenColumn
from reflect.models import Invitation
from reflect.people import display_name
from reflect.policies import AdminDoor

from . import services
from .policies import SEND, invitations

User = get_user_model()

STATE_CHOICES = [
    ("not_accepted", "Not accepted yet (waiting or expired)"),
    ("waiting", "Waiting"),
    ("expired", "Expired, not accepted"),
    ("accepted", "Accepted"),
]


def may_send(user, person=None) -> bool:
    """The question every "send invitation" button and view asks (the invitations policy)."""
    if person is None:
        return invitations.role_may(user, SEND)
    return invitations.can(user, SEND, person)


class InvitationFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label="State", choices=STATE_CHOICES, method="filter_state", empty_label="Any"
    )

    class Meta:
        model = Invitation
        fields = []

    def filter_state(self, queryset, name, value):
        now = timezone.now()
        if value == "not_accepted":
            return queryset.filter(accepted_at__isnull=True)
        if value == "waiting":
            return queryset.filter(accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=now)
        if value == "expired":
            return queryset.filter(accepted_at__isnull=True, expires_at__lte=now)
        if value == "accepted":
            return queryset.filter(accepted_at__isnull=False)
        return queryset


class InvitationIndexView(IndexView):
    """Each invited person's newest invitation, newest first; "Send again" on every row not
    yet accepted."""

    page_title = "Invitations"

    def get_base_queryset(self):
        return services.latest_invitations() & invitations.visible(self.request.user)

    def get_list_more_buttons(self, instance):
        return []

    def get_list_buttons(self, instance):
        if instance.state == "accepted" or not instance.user.is_active:
            return []
        return [
            ListingButton(
                "Send again",
                url=reverse("reflect_invitation_send", args=[instance.user_id]),
                icon_name="mail",
                attrs={"aria-label": f"Send the invitation to {display_name(instance.user)} again"},
                priority=10,
            )
        ]


class InvitationViewSet(ModelViewSet):
    model = Invitation
    name = "reflect_invitations"
    url_prefix = "reflect/invitations"
    icon = "mail"
    menu_label = "Invitations"
    menu_order = 230
    add_to_admin_menu = True
    index_view_class = InvitationIndexView
    filterset_class = InvitationFilterSet
    inspect_view_enabled = False
    copy_view_enabled = False
    add_to_reference_index = False
    list_per_page = 50
    search_fields = ["user__username", "user__first_name", "user__last_name", "email"]
    search_backend_name = None
    list_display = [
        "person",
        Column("username", label="Username", accessor=lambda i: i.user.get_username()),
        "email",
        Column("state", label="State", accessor=lambda i: i.state_label),
        WhenColumn("sent_at", label="E-mailed", sort_key="sent_at"),
        WhenColumn("expires_at", label="Expires", sort_key="expires_at"),
        WhenColumn("accepted_at", label="Accepted", sort_key="accepted_at"),
    ]

    @property
    def permission_policy(self):
        return AdminDoor(invitations)

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
        ]

    def get_permissions_to_register(self):
        return []

    def register_admin_url_finder(self):
        pass


class SendInvitationView(WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then e-mail a fresh invitation to one person (earlier links stop working)."""

    template_name = "reflect/accounts/admin/send_invitation.html"
    page_title = "Send invitation"
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not may_send(request.user):
            raise PermissionDenied
        self.person = get_object_or_404(User, pk=kwargs["user_id"])
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("reflect_invitations:index"), "label": "Invitations"},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            person=self.person,
            name=display_name(self.person),
            problem=services.can_be_invited(self.person),
            has_password=self.person.has_usable_password(),
            days=services.invitation_days(),
            latest=Invitation.objects.filter(user=self.person).first(),
        )
        return context

    def post(self, request, *args, **kwargs):
        if not may_send(request.user, self.person):
            reason = services.can_be_invited(self.person) or "You may not send this invitation."
            messages.error(request, reason)
            return self.get(request, *args, **kwargs)
        try:
            sent = services.invite(self.person, by=request.user, request=request, via="admin")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return self.get(request, *args, **kwargs)
        messages.success(
            request,
            f"Invitation e-mailed to {display_name(self.person)} at {sent.invitation.email}. "
            f"The link works once, for {services.invitation_days()} days; earlier links no longer work.",
        )
        return redirect(reverse("reflect_invitations:index"))
