"""Reading reflections: the list of those one may see (filters, search) and a reflection's page.
Every read of someone else's reflection is audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404

from reflect import audit, limits
from rubrics.models import Competency

from ..models import Reflection
from ..policies import learners
from ..policies import reflections as policy
from ..reflective_models import get_model
from ..search import search_reflections
from .common import LIST_PAGE_SIZE, portfolio_login_required, render, review_events, visible_reflection


def _themes():
    return Competency.objects.themes()


@portfolio_login_required
def reflection_list(request):
    """Reflections I may see (`policies.reflections.visible`): a learner's own, and for tutors,
    examiners and admins the submitted reflections of the learners in their scope. Filter by
    learner, status, kind and theme; search within them."""
    user = request.user
    mine = policy.visible(user)
    learner = None
    learner_id = request.GET.get("learner", "")
    if learner_id:
        learner = learners.get(user, learner_id) if learner_id.isdigit() else None
        if learner is None:
            raise Http404("No such learner.")
        mine = mine.filter(learner=learner)
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    theme = request.GET.get("theme", "")
    q = request.GET.get("q", "").strip()
    if status in Reflection.Status.values:
        mine = mine.filter(status=status)
    if kind in Reflection.Kind.values:
        mine = mine.filter(kind=kind)
    if theme:
        mine = mine.filter(themes__code=theme)
    search_error = ""
    try:
        mine = search_reflections(mine, q)
    except ValidationError as exc:
        search_error, mine = " ".join(exc.messages), mine.none()
    mine = mine.prefetch_related("themes").select_related("placement", "learner")
    mine = mine.order_by("-occurred_on", "-id")
    page = Paginator(mine, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record_reads(user, page.object_list, via="site")  # others' reflections only
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "portfolio/reflection_list.html",
        {
            "reflections": page,
            "page_obj": page,
            "filters": {"status": status, "kind": kind, "theme": theme, "q": q},
            "learner": learner,
            # Only someone who supervises others sees whose reflection each row is.
            "shows_others": learners.supervised(user).exists(),
            "querystring": params.urlencode(),
            "statuses": Reflection.Status.choices,
            "kinds": Reflection.Kind.choices,
            "themes": _themes(),
            "is_learner": policy.role_may(user, "add"),
            "search_error": search_error,
            "search_max": limits.SEARCH,
        },
        status=400 if search_error else 200,
    )


@portfolio_login_required
def reflection_detail(request, pk: int):
    """Read a reflection: the learner's own (any status) or, for people in scope, a
    submitted one. Tutors review from `reflection_review`."""
    reflection = visible_reflection(request, pk)
    own = reflection.learner_id == request.user.pk
    if not own:
        audit.record(request.user, "read", learner=reflection.learner, obj=reflection, via="site")
    return render(
        request,
        "portfolio/reflection_detail.html",
        {
            "reflection": reflection,
            "own": own,
            "model": get_model(reflection.reflective_model),
            "events": review_events(reflection),
            "themes": reflection.themes.all(),
        },
    )
