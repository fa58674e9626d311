"""A tutor reviews: the queue (oldest submission first), the review page with what changed
since changes were requested, request changes, sign off; and the review conversation's
comments (the learner's replies too)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.views.decorators.http import require_http_methods, require_POST

from reflect import audit
from reflect.errors import Conflict

from .. import services
from ..forms import RequestChangesForm, ReviewCommentForm, SignOffForm
from ..models import Reflection
from ..policies import reflections as policy
from ..reflective_models import get_model
from ..site import portfolio_url
from .common import LIST_PAGE_SIZE, portfolio_login_required, render, review_events, visible_reflection


@portfolio_login_required
@require_POST
def reflection_comment(request, pk: int):
    """Add a comment (the learner on their own, or an allocated tutor)."""
    reflection = visible_reflection(request, pk)
    own = reflection.learner_id == request.user.pk
    back = portfolio_url("reflection_detail" if own else "reflection_review", reflection.pk)
    form = ReviewCommentForm(request.POST)
    if not form.is_valid():
        too_long = form.has_error("comment", "max_length")
        messages.error(
            request, " ".join(form.errors["comment"]) if too_long else "Write a comment before sending it."
        )
        return HttpResponseRedirect(back)
    try:
        services.comment(reflection, request.user, form.cleaned_data["comment"], via="site")
    except PermissionDenied:
        raise Http404("No such reflection") from None
    except Conflict as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Comment added.")
    return HttpResponseRedirect(back)


# --- Reflections: tutor -------------------------------------------------------------------
def _reviewable(request, pk: int) -> Reflection:
    """A non-draft reflection of a learner currently allocated to this tutor, or 404."""
    reviewable = policy.scope(request.user, "review").select_related(
        "placement", "learner__enrolment__cohort", "signed_off_by"
    )
    return policy.get(request.user, pk, reviewable)


@portfolio_login_required
def review_queue(request):
    """Submitted reflections from my allocated learners, oldest submission first."""
    if not policy.role_may(request.user, "review"):
        raise Http404("Only tutors review reflections")
    waiting = (
        policy.scope(request.user, "review")
        .filter(status=Reflection.Status.SUBMITTED)
        .select_related("learner", "placement")
        .prefetch_related("themes")
        .order_by("submitted_at", "id")
    )
    page = Paginator(waiting, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_reads(request.user, page.object_list, via="site")
    return render(request, "portfolio/review_queue.html", {"reflections": page, "page_obj": page})


def _review_context(request, reflection, **extra):
    return {
        "reflection": reflection,
        "model": get_model(reflection.reflective_model),
        "events": review_events(reflection),
        "themes": reflection.themes.all(),
        "changes": services.changes_since_request(reflection),
        "last_request": services.last_changes_request(reflection),
        "comment_form": ReviewCommentForm(),
        "request_form": RequestChangesForm(prefix="changes"),
        "sign_off_form": SignOffForm(),
        **extra,
    }


@portfolio_login_required
def reflection_review(request, pk: int):
    reflection = _reviewable(request, pk)
    audit.record(request.user, "read", learner=reflection.learner, obj=reflection, via="site")
    return render(request, "portfolio/reflection_review.html", _review_context(request, reflection))


def _decide(request, reflection, form, decide, done: str):
    """Run a tutor's decision (`services.request_changes` or `services.sign_off`) with the
    form's comment. A state that forbids it goes back to the review page with the reason; a
    refused comment goes onto the form (None: show it again); done, to the queue."""
    try:
        decide(reflection, request.user, form.cleaned_data.get("comment", ""), via="site")
    except Conflict as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(portfolio_url("reflection_review", reflection.pk))
    except ValidationError as exc:
        form.add_error("comment", " ".join(exc.messages))
        return None
    messages.success(request, f"{done} The learner has been told.")
    return HttpResponseRedirect(portfolio_url("review_queue"))


@portfolio_login_required
@require_POST
def reflection_request_changes(request, pk: int):
    reflection = _reviewable(request, pk)
    form = RequestChangesForm(request.POST, prefix="changes")
    if form.is_valid():
        done = _decide(request, reflection, form, services.request_changes, "Changes requested.")
        if done is not None:
            return done
    return render(
        request,
        "portfolio/reflection_review.html",
        _review_context(request, reflection, request_form=form),
        status=400,
    )


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def reflection_sign_off(request, pk: int):
    """Confirm, then sign off. Signed-off reflections are locked."""
    reflection = _reviewable(request, pk)
    form = SignOffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        done = _decide(request, reflection, form, services.sign_off, "Signed off.")
        if done is not None:
            return done
    return render(
        request,
        "portfolio/reflection_sign_off.html",
        {"reflection": reflection, "form": form},
        status=400 if form.errors else 200,
    )
