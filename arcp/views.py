"""ARCP screens under the portfolio page: the learner's pack, the examiner's panel, verify.

Thin views: rules are `arcp.policies` (who) and `arcp.services` (periods, reason codes).
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portfolio.policies import learners, reflections
from portfolio.site import portfolio_url
from portfolio.views import portfolio_login_required, render
from reflect import audit
from reflect.errors import Conflict, NotFound
from reflect.uploads import form_with_error, limit_upload, setting_limit

from . import codes, evidence, pack_request_views, pack_requests, services
from .forms import AppealForm, PeriodForm, ResponseForm, ReviewForm, VerifyForm
from .models import ArcpReview, PackRequest
from .pdf import theme_chart_svg
from .policies import exports, panel_members, reviews, supervisor_reports
from .policies import pack_requests as pack_request_policy


def _errors_to_form(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _make_pack(request, learner, form, return_url: str):
    """Ask for the pack in the background (`arcp.pack_requests`); the response that follows
    (progress page, or straight back with the pack), or None with the errors on `form`."""
    try:
        job = pack_requests.start(
            learner,
            form.cleaned_data["period_from"],
            form.cleaned_data["period_to"],
            request.user,
            return_url=return_url,
            via="site",
        )
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return None
    return pack_request_views.after_start(request, job)


def _my_pack_page(request, form, *, bound=None, status=200):
    """The learner's ARCP page; `bound` is (review id, "respond" | "appeal", a bound form with
    errors) to show again after a refused request."""
    own = list(
        reviews.visible(request.user)
        .filter(learner=request.user)
        .select_related("examiner", "export", "supersedes", "superseded_by")
    )
    current = []
    for review in own:
        if review.is_superseded:
            continue
        response_form = ResponseForm(prefix=f"respond-{review.pk}")
        appeal_form = AppealForm(prefix=f"appeal-{review.pk}")
        if bound is not None and bound[0] == review.pk:
            if bound[1] == "respond":
                response_form = bound[2]
            else:
                appeal_form = bound[2]
        current.append(
            {
                "review": review,
                "window": services.appeal_window(review),
                "response_form": response_form,
                "appeal_form": appeal_form,
            }
        )
    context = {
        "form": form,
        "exports": exports.visible(request.user).filter(learner=request.user).select_related("created_by"),
        "being_made": pack_request_policy.visible(request.user).filter(
            learner=request.user, status__in=PackRequest.IN_PROGRESS
        ),
        "reviews": own,
        "current": current,
        "supervisor_reports": supervisor_reports.visible(request.user)
        .filter(learner=request.user)
        .select_related("author", "learner"),
    }
    return render(request, "arcp/my_pack.html", context, status=status)


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def my_pack(request):
    """The learner's own ARCP pack: choose a period, make it, download it; see outcomes,
    respond to them, ask for a review or appeal."""
    if not reflections.role_may(request.user, "add"):
        raise Http404("Only learners have an ARCP pack.")
    is_post = request.method == "POST"
    form = PeriodForm(request.POST) if is_post else PeriodForm(initial=PeriodForm.default_initial())
    if request.method == "POST" and form.is_valid():
        response = _make_pack(request, request.user, form, portfolio_url("arcp_my_pack"))
        if response is not None:
            return response
    return _my_pack_page(request, form, status=400 if form.errors else 200)


@portfolio_login_required
@require_http_methods(["POST"])
def acknowledge_outcome(request, review_id: int):
    """The learner acknowledges that they have read an outcome."""
    review = services.acknowledge_review(request.user, review_id, via="site")
    messages.success(request, f"You acknowledged outcome {review.get_outcome_display()}.")
    return HttpResponseRedirect(portfolio_url("arcp_my_pack"))


def _learner_request(request, review_id: int, kind: str):
    """POST of a response (`kind` "respond") or a review/appeal request ("appeal")."""
    form_class, field = (ResponseForm, "response") if kind == "respond" else (AppealForm, "reason")
    form = form_class(request.POST, prefix=f"{kind}-{review_id}")
    text = request.POST.get(f"{kind}-{review_id}-{field}", "")
    try:
        if kind == "respond":
            review = services.respond_to_review(request.user, review_id, text, via="site")
            messages.success(request, f"Your response to outcome {review.outcome} was sent to the panel.")
        else:
            review = services.request_appeal(request.user, review_id, text, via="site")
            window = services.appeal_window(review)
            messages.success(
                request,
                f"Your request for {window.words} (outcome {review.outcome}) was sent to the panel.",
            )
    except (ValidationError, Conflict) as exc:
        form.is_valid()  # the form's own messages (empty, too long) stand; the service's are added
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                if name != field or field not in form.errors:
                    form.add_error(field if name == field else None, errors)
        else:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else exc.message)
        status = 409 if isinstance(exc, Conflict) else 400
        period = PeriodForm(initial=PeriodForm.default_initial())
        return _my_pack_page(request, period, bound=(review_id, kind, form), status=status)
    return HttpResponseRedirect(portfolio_url("arcp_my_pack") + f"#outcome-{review.pk}")


@portfolio_login_required
@require_http_methods(["POST"])
def respond_outcome(request, review_id: int):
    """The learner's written response to an outcome, shown to the panel."""
    return _learner_request(request, review_id, "respond")


@portfolio_login_required
@require_http_methods(["POST"])
def appeal_outcome(request, review_id: int):
    """The learner asks for a review of outcome 2, or appeals outcome 3 or 4."""
    return _learner_request(request, review_id, "appeal")


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
    """A panel member's open panels: their members, and the learners of their cohorts with
    their packs. Chairs and examiners open each learner (evidence, outcomes, timeline); lay
    representatives and external assessors read the packs only (`arcp.policies`)."""
    _require_examiner(request.user)
    examined = list(_panel_learners(request.user))
    examined_ids = {lr.pk for lr in examined}
    papers = [
        lr
        for lr in learners.panel_papers(request.user)
        .select_related("enrolment__cohort")
        .order_by("enrolment__cohort__name", "last_name", "first_name", "username")
        if lr.pk not in examined_ids
    ]
    people = examined + papers
    packs: dict[int, list] = {}
    for e in exports.visible(request.user).filter(learner__in=people).order_by("-period_to", "-created_at"):
        packs.setdefault(e.learner_id, []).append(e)
    latest_review = {}
    for rv in reviews.visible(request.user).current().filter(learner__in=examined).order_by("created_at"):
        latest_review[rv.learner_id] = rv
    rows = [
        {
            "learner": lr,
            "examines": lr.pk in examined_ids,
            "packs": packs.get(lr.pk, []),
            "review": latest_review.get(lr.pk),
        }
        for lr in people
    ]
    # A list read of each learner's packs and outcomes: one audit row per learner shown.
    audit.record_reads(
        request.user,
        [{"id": lr.pk, "learner_id": lr.pk} for lr in people],
        via="site",
        object_type="PanelRow",
    )
    context = {"rows": rows, "panels": panel_members(request.user), "examines": bool(examined)}
    return render(request, "arcp/panel.html", context)


def _default_pack_period(learner, packs) -> dict:
    """The period a new pack starts with: the latest pack's window; else from the day after
    the learner's last outcome (or their joining the cohort) to today; a year at most."""
    today = timezone.localdate()
    if packs:
        latest = packs[0]
        return {"period_from": latest.period_from, "period_to": latest.period_to}
    start = today - datetime.timedelta(days=365)
    last = (
        ArcpReview.objects.current()
        .filter(learner=learner, period_to__lt=today)
        .order_by("-period_to")
        .first()
    )
    joined = getattr(getattr(learner, "enrolment", None), "joined_on", None)
    if last is not None:
        start = max(start, last.period_to + datetime.timedelta(days=1))
    elif joined is not None and joined <= today:
        start = max(start, joined)
    return {"period_from": start, "period_to": today}


def _reposted(request) -> list[tuple[str, str]]:
    """The outcome form's fields as posted, to carry through the confirmation step."""
    return [
        (key, value)
        for key in request.POST
        if key.startswith("review-")
        for value in request.POST.getlist(key)
    ]


def _outcome_step(request, learner, packs, form, correcting=None):
    """POST of the outcome form: `review` → the confirmation page; `confirm` → record it;
    `change` → the form again, filled in. Returns a response, or None to show the form."""
    step = request.POST.get("action")
    if step == "change" or not form.is_valid():
        return None
    data = form.cleaned_data
    pack = form.pack()
    args = (
        request.user,
        learner,
        pack.period_from,
        pack.period_to,
        pack,
        data["outcome"],
        data["reason_codes"],
        data["comments"],
    )
    kwargs = {
        "actions": data["actions"],
        "next_review_on": data["next_review_on"],
        "supersedes": correcting,
        "correction_reason": data.get("correction_reason", ""),
    }
    try:
        if step == "confirm":
            review = services.record_review(*args, **kwargs, via="site")
        else:
            checked = services.check_review(*args, **kwargs)
    except ValidationError as exc:
        _errors_to_form(form, exc)
        return None
    except Conflict as exc:
        form.add_error(None, exc.message)
        return None
    if step == "confirm":
        verb = "corrected: the new record supersedes the old one" if correcting else "recorded"
        messages.success(request, f"Outcome {review.get_outcome_display()} {verb}. The learner can see it.")
        return HttpResponseRedirect(portfolio_url("arcp_panel_learner", learner.pk))
    context = {
        "learner": learner,
        "checked": checked,
        "outcome_label": codes.OUTCOME_LABELS[checked["outcome"]],
        "reason_labels": [codes.label_of(c) for c in checked["reason_codes"]],
        "hidden": _reposted(request),
        "correcting": correcting,
        "action_url": request.path,
    }
    return render(request, "arcp/confirm_outcome.html", context)


def _panel_learner_or_404(user, learner_id):
    _require_examiner(user)
    learner = _panel_learners(user).filter(pk=learner_id).first()
    if learner is None:
        raise Http404("No such learner on your panels.")
    return learner


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def panel_learner(request, learner_id: int):
    """Examiner: one learner: make a pack, download packs, record the outcome against a pack
    (after a confirmation step), correct a recorded outcome."""
    learner = _panel_learner_or_404(request.user, learner_id)
    packs = list(exports.visible(request.user).filter(learner=learner).select_related("created_by"))
    programme_type = services.programme_type_of(learner)
    window = _default_pack_period(learner, packs)
    period_form = PeriodForm(initial=window, prefix="pack")
    initial = {"export": str(packs[0].pk)} if packs else {}
    review_form = ReviewForm(initial=initial, exports=packs, programme_type=programme_type, prefix="review")
    status = 200
    action = request.POST.get("action")
    if request.method == "POST" and action == "pack":
        period_form = PeriodForm(request.POST, prefix="pack")
        back = portfolio_url("arcp_panel_learner", learner.pk)
        response = _make_pack(request, learner, period_form, back) if period_form.is_valid() else None
        if response is not None:
            return response
        status = 400
    elif request.method == "POST" and action in ("review", "confirm", "change"):
        if not reviews.permits(request.user, "add", learner):  # the chair records
            raise PermissionDenied(reviews.denied_message(request.user, "add", learner))
        review_form = ReviewForm(request.POST, exports=packs, programme_type=programme_type, prefix="review")
        response = _outcome_step(request, learner, packs, review_form)
        if response is not None:
            return response
        status = 200 if action == "change" else 400
    elif request.method == "POST":
        status = 400
    audit.record(request.user, "read", learner=learner, obj=learner, via="site", what="panel")
    history = list(
        reviews.visible(request.user)
        .filter(learner=learner)
        .select_related("examiner", "export", "supersedes", "superseded_by")
    )
    # The evidence on screen: what the next pack would hold for this reader (the same gatherer
    # and policies as the PDF), for the period the pack form proposes; only the parts this
    # page shows (`screen`: no rubric grids, attachments, goals or rounds, which it never drew).
    snapshot = evidence.gather(
        learner, window["period_from"], window["period_to"], viewer=request.user, screen=True
    )
    summary = snapshot.summary
    context = {
        "learner": learner,
        "snapshot": snapshot,
        "summary": summary,
        "theme_chart": theme_chart_svg(summary["theme_coverage"]),
        "programme_type": programme_type,
        "exports": packs,
        "reviews": history,
        "period_form": period_form,
        "review_form": review_form,
        "code_sources": codes.SOURCES,
        **_esr_context(request.user, learner, packs),
    }
    return render(request, "arcp/panel_learner.html", context, status=status)


def _esr_context(user, learner, packs) -> dict:
    """The signed supervisor's reports the panel reads, whether the latest pack holds one,
    and whether `user` records outcomes here (the chair; examiners where none is named)."""
    latest_pack_esr = False
    if packs:
        pack = packs[0]
        held_by = min(evidence.cutoff_end(pack.period_to), pack.created_at)
        latest_pack_esr = services.covering_reports(
            learner, pack.period_from, pack.period_to, held_by
        ).exists()
    return {
        "supervisor_reports": supervisor_reports.visible(user).filter(learner=learner).for_reading(),
        "latest_pack_esr": latest_pack_esr,
        "esr_source": services.ESR_SOURCE,
        "may_record": reviews.permits(user, "add", learner),
    }


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def correct_outcome(request, learner_id: int, review_id: int):
    """Examiner: correct a recorded outcome by a new record that supersedes it (with a reason);
    the old record stays in the history, unchanged."""
    learner = _panel_learner_or_404(request.user, learner_id)
    old = reviews.visible(request.user).filter(learner=learner, pk=review_id).select_related("export").first()
    if old is None:
        raise Http404("No such outcome.")
    if not reviews.permits(request.user, "add", learner):  # a correction is a new record
        raise PermissionDenied(reviews.denied_message(request.user, "add", learner))
    if old.is_superseded:
        messages.error(request, "That outcome has already been corrected; correct the latest record instead.")
        return HttpResponseRedirect(portfolio_url("arcp_panel_learner", learner.pk))
    packs = list(exports.visible(request.user).filter(learner=learner).select_related("created_by"))
    programme_type = services.programme_type_of(learner)
    kwargs = {"exports": packs, "programme_type": programme_type, "correcting": old, "prefix": "review"}
    status = 200
    if request.method == "POST":
        form = ReviewForm(request.POST, **kwargs)
        response = _outcome_step(request, learner, packs, form, correcting=old)
        if response is not None:
            return response
        status = 200 if request.POST.get("action") == "change" else 400
    else:
        form = ReviewForm(
            initial={
                "export": str(old.export_id),
                "outcome": old.outcome,
                "reason_codes": old.reason_codes,
                "next_review_on": old.next_review_on,
                "actions": old.actions,
                "comments": old.comments,
            },
            **kwargs,
        )
    audit.record(request.user, "read", learner=learner, obj=old, via="site", what="correct outcome")
    context = {
        "learner": learner,
        "old": old,
        "review_form": form,
        "exports": packs,
        "code_sources": codes.SOURCES,
    }
    return render(request, "arcp/correct_outcome.html", context, status=status)


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
