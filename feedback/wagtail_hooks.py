"""Patient feedback in the Wagtail admin: programme admins list feedback and invitations and
withdraw abusive feedback (with a reason, after a confirmation page). Nothing can be added,
edited or deleted here; withdrawal goes through `feedback.services.withdraw`, which hides
the feedback from everyone but admins and records it in the audit log. Tokens are never shown
(only their hashes are stored, and those are not displayed either).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import FormView
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.snippets.models import register_snippet

from feedback import instrument, policies, services
from feedback.models import Feedback, FeedbackInvitation
from feedback.round_rules_admin import RoundRuleViewSet
from portfolio import counts
from portfolio.policies import learners
from portfolio.site import portfolio_url
from reflect import limits, navigation
from reflect.admin import PolicyIndexView, PolicyInspectView, ReadOnlyAdminViewSet, WhenColumn
from reflect.errors import Conflict
from reflect.people import display_name


def _respondent(f: Feedback) -> str:
    role = f.get_respondent_role_display()
    if f.anonymous:
        return f"Anonymous ({role.lower()})"
    return f"{f.respondent_name} ({role.lower()})" if f.respondent_name else role


# --- Feedback -----------------------------------------------------------------------------
class FeedbackIndexView(PolicyIndexView):
    list_select_related = ("learner",)

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if policies.feedback.can(self.request.user, "withdraw", instance):
            buttons.append(
                MenuItem(
                    "Withdraw",
                    url=reverse("feedback_responses:withdraw", args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons


class FeedbackInspectView(PolicyInspectView):
    inspect_select_related = ("learner", "withdrawn_by")

    def get_fields(self):
        return [
            "learner",
            "context_title",
            "occurred_on",
            "respondent_role",
            "anonymous",
            "respondent_name",
            "comments",
            "submitted_at",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rating_rows"] = instrument.rows(self.object.ratings, self.object.instrument)
        if policies.feedback.can(self.request.user, "withdraw", self.object):
            context["withdraw_url"] = reverse("feedback_responses:withdraw", args=[self.object.pk])
        return context


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.COMMENT,
        label="Reason for withdrawing",
        help_text="Required. Recorded in the audit log and shown to other admins.",
        error_messages={"required": "Give the reason for withdrawing this feedback."},
    )


class WithdrawView(WagtailAdminTemplateMixin, FormView):
    """Confirmation page: shows the feedback, asks for the reason, then withdraws it."""

    template_name = "feedback/admin/withdraw.html"
    form_class = WithdrawForm
    page_title = "Withdraw feedback"
    header_icon = "cross"

    def dispatch(self, request, *args, **kwargs):
        if not policies.feedback.role_may(request.user, "withdraw"):
            raise PermissionDenied
        queryset = policies.feedback.visible(request.user).select_related("learner")
        self.object = get_object_or_404(queryset, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.object.context_title

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            feedback=self.object,
            learner_name=display_name(self.object.learner),
            respondent=_respondent(self.object),
            rating_rows=instrument.rows(self.object.ratings, self.object.instrument),
            index_url=reverse("feedback_responses:index"),
        )
        return context

    def form_valid(self, form):
        try:
            services.withdraw(self.object, self.request.user, form.cleaned_data["reason"], via="admin")
        except ValidationError as exc:
            for message in exc.message_dict.get("reason", exc.messages):
                form.add_error("reason", message)
            return self.form_invalid(form)
        except Conflict as exc:
            messages.error(self.request, exc.message)
            return redirect("feedback_responses:index")
        messages.success(self.request, "The feedback was withdrawn. It is hidden from everyone but admins.")
        return redirect("feedback_responses:index")


class FeedbackAdminViewSet(ReadOnlyAdminViewSet):
    model = Feedback
    policy = policies.feedback
    name = "feedback_responses"
    url_prefix = "feedback/responses"
    icon = "comment"
    menu_label = "Feedback"
    index_view_class = FeedbackIndexView
    inspect_view_class = FeedbackInspectView
    inspect_template_name = "feedback/admin/inspect.html"
    list_display = [
        "context_title",
        Column("learner_name", label="Learner", accessor=lambda f: display_name(f.learner)),
        Column("respondent", label="From", accessor=_respondent),
        WhenColumn("submitted_at", label="Received", sort_key="submitted_at"),
        Column(
            "state",
            label="State",
            accessor=lambda f: f"Withdrawn: {f.withdrawal_reason}" if f.withdrawn_at else "Visible",
        ),
    ]
    list_filter = ["respondent_role", "anonymous"]
    search_fields = ["context_title", "comments"]
    search_backend_name = None

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("withdraw/<int:pk>/", WithdrawView.as_view(), name="withdraw"),
        ]


# --- Invitations --------------------------------------------------------------------------
class InvitationIndexView(PolicyIndexView):
    list_select_related = ("learner", "created_by")

    def get_base_queryset(self):
        return super().get_base_queryset().with_status()


class InvitationInspectView(PolicyInspectView):
    def learner_of(self, obj):
        return None  # the link, not the learner's portfolio: not a read of their evidence

    def get_fields(self):
        # Never token_hash.
        return [
            "learner",
            "context_title",
            "occurred_on",
            "email",
            "created_by",
            "created_at",
            "expires_at",
            "used_at",
        ]


class InvitationAdminViewSet(ReadOnlyAdminViewSet):
    model = FeedbackInvitation
    policy = policies.invitations
    name = "feedback_invitations"
    url_prefix = "feedback/invitations"
    icon = "mail"
    menu_label = "Feedback links"
    index_view_class = InvitationIndexView
    inspect_view_class = InvitationInspectView
    list_display = [
        "context_title",
        Column("learner_name", label="Learner", accessor=lambda i: display_name(i.learner)),
        Column("email", label="E-mailed to", accessor=lambda i: i.email or "—"),
        Column("current_status", label="Status", accessor=lambda i: i.current_status.capitalize()),
        Column("inviter", label="Created by", accessor=lambda i: display_name(i.created_by) or "—"),
        WhenColumn("created_at", label="Created", sort_key="created_at"),
        WhenColumn("expires_at", label="Expires", sort_key="expires_at"),
    ]
    search_fields = ["context_title", "email"]
    search_backend_name = None


class FeedbackViewSetGroup(ModelViewSetGroup):
    menu_label = "Feedback"
    menu_icon = "comment"
    menu_order = 230
    items = (FeedbackAdminViewSet, InvitationAdminViewSet)


@hooks.register("register_admin_viewset")
def register_feedback_viewsets():
    return FeedbackViewSetGroup()


register_snippet(RoundRuleViewSet)


@hooks.register(counts.HOOK)
def feedback_counts():
    return {"feedback_count": policies.feedback.released().filter(learner=OuterRef("pk"))}


@hooks.register(navigation.HOOK)
def feedback_nav_items(request):
    """Feedback received (learners) or given about learners in scope (none for lay and
    external panel members, who have no learner scope); inviting it (tutors, programme
    admins)."""
    user = request.user
    items = []
    if policies.feedback.role_may(user, "view") and not learners.reads_packs_only(user):
        items.append(navigation.NavItem("Feedback", portfolio_url("feedback_list"), order=30))
    if policies.invitations.role_may(user, "add"):
        items.append(navigation.NavItem("Invite feedback", portfolio_url("feedback_invite"), order=31))
    if policies.rounds.role_may(user, "view") and not learners.reads_packs_only(user):
        items.append(navigation.NavItem("Colleague rounds", portfolio_url("colleague_rounds"), order=32))
    if policies.partner_reports.may_view(user):
        items.append(navigation.NavItem("Partner report", portfolio_url("partner_report"), order=33))
    return items
