"""Screens over one learner's whole portfolio (issue 15): find a learner in scope, read their
timeline, and a cohort's theme coverage. Thin: who sees what is `arcp.policies.timelines` and
the owning apps' policies (through `arcp.timeline`)."""

from __future__ import annotations

from django.core.paginator import Paginator

from portfolio.views import portfolio_login_required, render
from reflect.errors import PermissionDenied

from .policies import supervisor_reports, timelines
from .timeline import KINDS, cohort_coverage, find_learners, gather, heatmap_svg, record_page_reads
from .timeline_forms import CoverageForm, LearnerSearchForm, TimelineFilterForm

PAGE_SIZE = 20
SEARCH_PAGE_SIZE = 50


def _require(user, action="view"):
    if not timelines.role_may(user, action):
        raise PermissionDenied(timelines.denied_message(user, action, None))


def _querystring(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@portfolio_login_required
def learner_search(request):
    """Tutors, examiners and admins: the learners in their scope, found by name."""
    _require(request.user)
    form = LearnerSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "arcp/timeline/search.html", {"form": form, "page_obj": None}, status=400)
    q = form.cleaned_data["q"].strip()
    page = Paginator(find_learners(request.user, q), SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "arcp/timeline/search.html",
        {
            "form": form,
            "q": q,
            "page_obj": page,
            "querystring": _querystring(request),
            "may_coverage": timelines.role_may(request.user, "coverage"),
        },
    )


@portfolio_login_required
def learner_timeline(request, learner_id: int):
    """One learner's reflections, markings, feedback and outcomes, newest first."""
    _require(request.user)
    learner = timelines.get(
        request.user, learner_id, timelines.visible(request.user).select_related("enrolment__cohort")
    )
    form = TimelineFilterForm(request.GET)
    may_write_esr = supervisor_reports.can(request.user, "add", learner)
    context = {"learner": learner, "form": form, "kinds": KINDS, "may_write_esr": may_write_esr}
    if not form.is_valid():
        return render(request, "arcp/timeline/timeline.html", {**context, "page_obj": None}, status=400)
    entries = gather(request.user, learner, **form.cleaned_data)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    record_page_reads(request.user, learner, page.object_list, page=page.number)
    filtered = any(form.cleaned_data.values())
    return render(
        request,
        "arcp/timeline/timeline.html",
        {**context, "page_obj": page, "filtered": filtered, "querystring": _querystring(request)},
    )


@portfolio_login_required
def cohort_heatmap(request):
    """Tutors and admins: submitted reflections per theme per learner of a cohort (only the
    learners they supervise), as a heatmap and a table."""
    _require(request.user, "coverage")
    cohorts = timelines.cohorts(request.user)
    if "cohort" in request.GET:
        form = CoverageForm(request.GET, cohorts=cohorts)
    else:
        first = cohorts.order_by("name").first()
        initial = {**_iso(CoverageForm.default_initial()), "cohort": first.pk if first else ""}
        form = CoverageForm(initial, cohorts=cohorts)
    context = {"form": form, "has_cohorts": cohorts.exists()}
    if not form.is_valid():
        status = 400 if "cohort" in request.GET else 200
        return render(request, "arcp/timeline/coverage.html", {**context, "coverage": None}, status=status)
    data = form.cleaned_data
    coverage = cohort_coverage(request.user, data["cohort"], data["period_from"], data["period_to"])
    return render(
        request,
        "arcp/timeline/coverage.html",
        {
            **context,
            "coverage": coverage,
            "cohort": data["cohort"],
            "period_from": data["period_from"],
            "period_to": data["period_to"],
            "heatmap": heatmap_svg(coverage),
            "numbered_themes": list(enumerate(coverage["themes"], start=1)),
        },
    )


def _iso(values: dict) -> dict:
    return {k: v.isoformat() for k, v in values.items()}
