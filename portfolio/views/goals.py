"""Goals (a personal development plan): the list of goals one may see, a goal's page with
its review form and comments, and the learner's new / edit forms ("Make a goal from this
action plan" comes here prefilled). Thin: who sees what is `portfolio.policies.goals`, the
rules are `portfolio.services.goals`. Reads of someone else's goals are audited."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from reflect import audit
from reflect.errors import Conflict

from ..goal_forms import GoalCommentForm, GoalForm, GoalReviewForm
from ..goal_models import Goal
from ..policies import goals as policy
from ..policies import learners
from ..policies import reflections as reflection_policy
from ..services import goals as services
from ..site import portfolio_url
from .common import LIST_PAGE_SIZE, portfolio_login_required, render

DEFAULT_DAYS = 90


@portfolio_login_required
def goal_list(request):
    """Goals I may see: a learner's own plan; for tutors, examiners and admins the goals of
    the learners in their scope (`?learner=` for one of them). Filter by status."""
    user = request.user
    goals = policy.visible(user)
    learner = None
    learner_id = request.GET.get("learner", "")
    if learner_id:
        if not learner_id.isdigit():
            raise Http404("No such learner.")
        learner = learners.get(user, learner_id)
        goals = goals.filter(learner=learner)
    status = request.GET.get("status", "")
    if status in Goal.Status.values:
        goals = goals.filter(status=status)
    # Open goals first (soonest due first), then the reviewed ones, latest review first.
    goals = goals.select_related("learner").prefetch_related("themes")
    goals = goals.order_by(F("reviewed_at").desc(nulls_first=True), "due_on", "id")
    page = Paginator(goals, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_reads(user, page.object_list, via="site")
    params = request.GET.copy()
    params.pop("page", None)
    is_learner = policy.role_may(user, "add")
    return render(
        request,
        "portfolio/goal_list.html",
        {
            "page_obj": page,
            "learner": learner,
            "status": status,
            "statuses": Goal.Status.choices,
            "is_learner": is_learner and learner is None,
            "shows_others": learner is None and learners.supervised(user).exists(),
            "open_count": policy.own(user).filter(status=Goal.Status.OPEN).count() if is_learner else None,
            "querystring": params.urlencode(),
        },
    )


def _render_form(request, form, goal, reflection, status=200):
    return render(
        request,
        "portfolio/goal_form.html",
        {"form": form, "goal": goal, "reflection": reflection},
        status=status,
    )


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def goal_create(request):
    """A learner sets a goal; from a reflection (`?reflection=<id>`, one of theirs) the form
    is prefilled with its action plan and themes."""
    if not policy.role_may(request.user, "add"):
        raise Http404("Only learners set goals.")
    source = request.POST.get("reflection") or request.GET.get("reflection") or ""
    reflection = None
    if source:
        if not str(source).isdigit():
            raise Http404("No such reflection.")
        reflection = reflection_policy.get(request.user, source, reflection_policy.own(request.user))
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                goal = services.create_goal(request.user, form.to_service_data(), via="site")
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Goal saved.")
                return HttpResponseRedirect(portfolio_url("goal_detail", goal.pk))
        return _render_form(request, form, None, reflection, status=400)
    due = timezone.localdate() + datetime.timedelta(days=DEFAULT_DAYS)
    initial = {"due_on": due}
    if reflection is not None:
        initial.update(
            what=services.action_plan_text(reflection),
            themes=[t.code for t in reflection.themes.all()],
            reflection=reflection.pk,
            due_on=max(due, reflection.occurred_on),
        )
    return _render_form(request, GoalForm(initial=initial), None, reflection)


def _detail_context(request, goal, **forms) -> dict:
    user = request.user
    source = goal.reflection
    return {
        "goal": goal,
        "own": goal.learner_id == user.pk,
        "themes": goal.themes.all(),
        "comments": goal.comments.select_related("author"),
        # The reflection is linked only for those who may read it (others never see drafts).
        "source": source if source is not None and reflection_policy.is_visible(user, source) else None,
        "review_form": forms.get("review_form") or GoalReviewForm(),
        "comment_form": forms.get("comment_form") or GoalCommentForm(),
    }


@portfolio_login_required
def goal_detail(request, pk: int):
    """A goal: what, by when, how they will know, themes, its review, and comments."""
    goal = services.goal_from(request.user, pk)
    if goal.learner_id != request.user.pk:
        audit.record(request.user, "read", learner=goal.learner, obj=goal, via="site")
    return render(request, "portfolio/goal_detail.html", _detail_context(request, goal))


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request, pk: int):
    """The learner changes an open goal."""
    goal = policy.get(request.user, pk, policy.scope(request.user, "change").select_related("reflection"))
    if not goal.is_open:
        messages.info(request, policy.blocked("change", goal))
        return HttpResponseRedirect(portfolio_url("goal_detail", goal.pk))
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            data = form.to_service_data()
            data.pop("reflection", None)  # the source is set when the goal is made
            try:
                services.update_goal(goal, request.user, data, via="site")
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Goal saved.")
                return HttpResponseRedirect(portfolio_url("goal_detail", goal.pk))
        return _render_form(request, form, goal, goal.reflection, status=400)
    return _render_form(request, GoalForm(initial=GoalForm.initial_for(goal)), goal, goal.reflection)


@portfolio_login_required
@require_POST
def goal_review(request, pk: int):
    """The learner closes a goal: how it went, with a short review."""
    goal = services.goal_from(request.user, pk)
    form = GoalReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_goal(
                goal, request.user, form.cleaned_data["status"], form.cleaned_data["review"], via="site"
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(portfolio_url("goal_detail", goal.pk))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Review saved.")
            return HttpResponseRedirect(portfolio_url("goal_detail", goal.pk))
    context = _detail_context(request, goal, review_form=form)
    return render(request, "portfolio/goal_detail.html", context, status=400)


@portfolio_login_required
@require_POST
def goal_comment(request, pk: int):
    """The learner's tutor (or the learner) comments on a goal."""
    goal = services.goal_from(request.user, pk)
    form = GoalCommentForm(request.POST)
    if form.is_valid():
        try:
            services.comment_on_goal(goal, request.user, form.cleaned_data["body"], via="site")
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Comment added.")
            return HttpResponseRedirect(portfolio_url("goal_detail", goal.pk) + "#comments")
    context = _detail_context(request, goal, comment_form=form)
    return render(request, "portfolio/goal_detail.html", context, status=400)
