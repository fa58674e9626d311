"""ARCP screens under the portfolio page: the learner's pack, the examiner's panel, verify.

Thin views: rules are `arcp.policies` (who) and `arcp.services` (periods, reason codes).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.views.decorators.http import require_http_methods

from portfolio.policies import learners, reflections
from portfolio.site import portfolio_url
from portfolio.views import portfolio_login_required, render
from reflect import audit
from reflect.errors import NotFound
from reflect.uploads import form_with_error, limit_upload, setting_limit

from . import services
from .forms import PeriodForm, ReviewForm, VerifyForm
from .policies import exports, reviews


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _make_pack(request, learner, form):
    try:
        export = services.build_pack(
            learner,
            form.cleaned_data["period_from"],
            form.cleaned_data["period_to"],
            request.user,
            via="site",
        )
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return None
    messages.success(
        request,
        f"Pack made for {export.period_from:%d %b %Y} to {export.period_to:%d %b %Y}. Download it below.",
    )
    return export


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def my_pack(request):
    """The learner's own ARCP pack: choose a period, make it, download it; see outcomes."""
    if not reflections.role_may(request.user, "add"):
        raise Http404("Only learners have an ARCP pack.")
    is_post = request.method == "POST"
    form = PeriodForm(request.POST) if is_post else PeriodForm(initial=PeriodForm.default_initial())
    if request.method == "POST" and form.is_valid():
        if _make_pack(request, request.user, form):
            return HttpResponseRedirect(portfolio_url("arcp_my_pack"))
    context = {
        "form": form,
        "exports": exports.visible(request.user).filter(learner=request.user).select_related("created_by"),
        "reviews": reviews.visible(request.user)
        .filter(learner=request.user)
        .select_related("examiner", "export"),
    }
    return render(request, "arcp/my_pack.html", context, status=400 if form.errors else 200)


@portfolio_login_required
def export_download(request, pk):
    """The stored bytes of a pack in the user's scope (exactly what was issued)."""
    export = services.export_for(request.user, pk)
    if not export.file_held:
        raise NotFound(
            "This pack's PDF is not held here (a record of an earlier year's pack keeps only its "
            "fingerprint, to verify a copy). Ask your programme office for the copy they hold."
        )
    audit.record(request.user, "read", learner=export.learner, obj=export, via="site")
    response = FileResponse(
        export.file.open("rb"),
        content_type="application/pdf",
        as_attachment=True,
        filename=services.pack_filename(export.learner, export),
    )
    response["X-Export-Id"] = str(export.pk)
    return response


def _panel_learners(user):
    return (
        learners.on_panel(user)
        .select_related("enrolment__cohort")
        .order_by("enrolment__cohort__name", "last_name", "first_name", "username")
    )


def _require_examiner(user):
    if not reviews.role_may(user, "add"):
        raise PermissionDenied("Only examiners have panels.")


@portfolio_login_required
def panel(request):
    """Examiner: learners in the cohorts of their open panels, with packs and outcomes."""
    _require_examiner(request.user)
    people = list(_panel_learners(request.user))
    latest_export = {}
    for e in exports.visible(request.user).filter(learner__in=people).order_by("created_at"):
        latest_export[e.learner_id] = e
    latest_review = {}
    for rv in reviews.visible(request.user).filter(learner__in=people).order_by("created_at"):
        latest_review[rv.learner_id] = rv
    rows = [
        {"learner": lr, "export": latest_export.get(lr.pk), "review": latest_review.get(lr.pk)}
        for lr in people
    ]
    # A list read of each learner's packs and outcomes: one audit row per learner shown.
    audit.record_reads(
        request.user,
        [{"id": lr.pk, "learner_id": lr.pk} for lr in people],
        via="site",
        object_type="PanelRow",
    )
    return render(request, "arcp/panel.html", {"rows": rows})


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def panel_learner(request, learner_id: int):
    """Examiner: one learner: make a pack, download packs, record the outcome against a pack."""
    _require_examiner(request.user)
    learner = _panel_learners(request.user).filter(pk=learner_id).first()
    if learner is None:
        raise Http404("No such learner on your panels.")
    packs = list(exports.visible(request.user).filter(learner=learner).select_related("created_by"))
    period_form = PeriodForm(initial=PeriodForm.default_initial(), prefix="pack")
    review_form = ReviewForm(initial=PeriodForm.default_initial(), exports=packs, prefix="review")
    status = 200
    if request.method == "POST" and request.POST.get("action") == "pack":
        period_form = PeriodForm(request.POST, prefix="pack")
        if period_form.is_valid() and _make_pack(request, learner, period_form):
            return HttpResponseRedirect(portfolio_url("arcp_panel_learner", learner.pk))
        status = 400
    elif request.method == "POST" and request.POST.get("action") == "review":
        review_form = ReviewForm(request.POST, exports=packs, prefix="review")
        if review_form.is_valid():
            data = review_form.cleaned_data
            try:
                review = services.record_review(
                    request.user,
                    learner,
                    data["period_from"],
                    data["period_to"],
                    data["export"],
                    data["outcome"],
                    data["reason_codes"],
                    data["comments"],
                    via="site",
                )
            except ValidationError as exc:
                _errors_to_form(review_form, exc)
            else:
                messages.success(request, f"Outcome {review.outcome} recorded. The learner can see it.")
                return HttpResponseRedirect(portfolio_url("arcp_panel_learner", learner.pk))
        status = 400
    elif request.method == "POST":
        status = 400
    audit.record(request.user, "read", learner=learner, obj=learner, via="site", what="panel")
    context = {
        "learner": learner,
        "exports": packs,
        "reviews": reviews.visible(request.user).filter(learner=learner).select_related("examiner", "export"),
        "period_form": period_form,
        "review_form": review_form,
    }
    return render(request, "arcp/panel_learner.html", context, status=status)


VERIFY_LIMIT = setting_limit("ARCP_VERIFY_MAX_BYTES", services.VERIFY_MAX_BYTES)


def _verify_refused(request, error):
    form = form_with_error(VerifyForm(), "file", error.message)
    return render(request, "arcp/verify.html", {"form": form, "result": None}, status=413)


@portfolio_login_required
@limit_upload(VERIFY_LIMIT, refused=_verify_refused)
@require_http_methods(["GET", "POST"])
def verify_pack(request):
    """Anyone signed in: upload a copy; is it byte-for-byte a pack we issued, and which?
    Uploads are capped (`ARCP_VERIFY_MAX_BYTES`) before they are read, and hashed in chunks."""
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        match = services.verify(upload, request.user)
        result = {"valid": match is not None, "export": match, "name": upload.name}
    status = 400 if form.errors else 200
    return render(request, "arcp/verify.html", {"form": form, "result": result}, status=status)
