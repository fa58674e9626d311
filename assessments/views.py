"""Marking screens for tutors and the learner's view of their marks (under /portfolio/marking/).

Views stay thin: state changes are `assessments.services`; who may see and do what is
`assessments.policies`. Outside scope is 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portfolio.models import Reflection
from portfolio.policies import reflections
from portfolio.site import portfolio_url
from portfolio.views.common import portfolio_login_required, render
from reflect import audit, limits
from reflect.errors import Conflict, StaleVersion
from rubrics.models import Criterion, Rubric

from . import services
from .grids import assessment_grid, visible_assessments_of
from .models import Assessment
from .policies import assessments as policy
from .policies import moderation_requests

# --- The marking form ----------------------------------------------------------------------


class MarkingForm(forms.Form):
    """One radio group (`level_<criterion id>`) and one comment per criterion, an overall
    comment and the `version` read (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    overall_comment = forms.CharField(
        label="Overall comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=limits.LONG_TEXT,
    )

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"level_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.title,
                required=False,
                coerce=int,
                empty_value=None,
                choices=[(lv.pk, lv.label) for lv in criterion.levels.all()],
                error_messages={"invalid_choice": "Choose one of this criterion's levels."},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=f"Comment on “{criterion.title}”",
                required=False,
                max_length=limits.COMMENT,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    @classmethod
    def initial_for(cls, assessment: Assessment) -> dict:
        initial = {"version": assessment.version, "overall_comment": assessment.overall_comment}
        for score in assessment.scores.all():
            initial[f"level_{score.criterion_id}"] = score.level_id
            initial[f"comment_{score.criterion_id}"] = score.comment
        return initial

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "overall_comment": data.get("overall_comment", ""),
            "scores": [
                {
                    "criterion": c.pk,
                    "level": data.get(f"level_{c.pk}"),
                    "comment": data.get(f"comment_{c.pk}", ""),
                }
                for c in self.criteria
            ],
        }

    def rows(self):
        """(criterion, level bound field, comment bound field, levels) per criterion."""
        for criterion in self.criteria:
            yield {
                "criterion": criterion,
                "level": self[f"level_{criterion.pk}"],
                "comment": self[f"comment_{criterion.pk}"],
                "levels": list(criterion.levels.all()),
                "chosen": self._chosen(criterion),
            }

    def _chosen(self, criterion) -> int | None:
        name = f"level_{criterion.pk}"
        raw = self.data.get(name) if self.is_bound else self.initial.get(name)
        try:
            return int(raw) if raw not in (None, "") else None
        except (TypeError, ValueError):
            return None


# --- Helpers ---------------------------------------------------------------------------------


def _own_assessment(request, pk: int) -> Assessment:
    """The caller's own assessment (404 for anyone else's, in scope or not)."""
    mine = Assessment.objects.filter(assessor=request.user).select_related(
        "reflection__learner", "rubric", "supersedes"
    )
    return policy.get(request.user, pk, mine)


def _field_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(
                    None, message if key in ("detail", "scores", "__all__") else f"{key}: {message}"
                )
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _marking_context(assessment: Assessment, form: MarkingForm, **extra) -> dict:
    return {
        "assessment": assessment,
        "reflection": assessment.reflection,
        "rubric": assessment.rubric,
        "form": form,
        "grid_columns": max((len(r["levels"]) for r in form.rows()), default=0),
        **extra,
    }


# --- Tutor: lists ----------------------------------------------------------------------------


@portfolio_login_required
def marking_home(request):
    """ "To mark": non-draft reflections the tutor may mark without their current marking
    finalised; "My drafts"; second markings requested of them."""
    user = request.user
    if not policy.role_may(user, "add"):
        raise Http404("Marking is for tutors")
    to_mark = policy.to_mark(user).select_related("learner").order_by("submitted_at", "pk")
    drafts = (
        policy.scope(user, "change").select_related("reflection__learner", "rubric").order_by("-updated_at")
    )
    requests = moderation_requests.waiting_for(user).select_related(
        "first_assessment__reflection__learner", "first_assessment__rubric"
    )
    finalised = (
        policy.visible(user)
        .filter(assessor=user, status=Assessment.Status.FINALISED)
        .select_related("reflection__learner", "rubric", "superseded_by")
        .order_by("-finalised_at")[:20]
    )
    return render(
        request,
        "assessments/marking_home.html",
        {"to_mark": to_mark, "drafts": drafts, "requests": requests, "finalised": finalised},
    )


# --- Tutor: start, mark, finalise, correct -------------------------------------------------------


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def marking_start(request, pk: int):
    """Choose a published rubric (latest version per rubric) and start marking."""
    reflection = policy.markable(request.user).select_related("learner").filter(pk=pk).first()
    if reflection is None:
        raise Http404("No such reflection")
    mine = Assessment.objects.filter(
        reflection=reflection, assessor=request.user, status=Assessment.Status.DRAFT
    ).first()
    if mine is not None:
        return HttpResponseRedirect(portfolio_url("marking_edit", mine.pk))
    moderation = policy.open_request(request.user, reflection)
    rubrics = [moderation.first_assessment.rubric] if moderation else Rubric.objects.latest_published()
    error = ""
    if request.method == "POST":
        rubric = next((r for r in rubrics if str(r.pk) == request.POST.get("rubric")), None)
        if rubric is None:
            error = "Choose the rubric to mark with."
        else:
            try:
                assessment = services.create_assessment(reflection, rubric, request.user, [], "", via="site")
            except ValidationError as exc:
                error = " ".join(exc.messages)
            except PermissionDenied as exc:
                raise Http404(str(exc))
            else:
                return HttpResponseRedirect(portfolio_url("marking_edit", assessment.pk))
    return render(
        request,
        "assessments/marking_start.html",
        {"reflection": reflection, "rubrics": rubrics, "error": error, "moderation": moderation},
        status=400 if error else 200,
    )


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def marking_edit(request, pk: int):
    """The marking screen: the reflection beside the rubric grid. "Save draft" stays here;
    "Finalise" saves, then shows the summary to confirm. A stale `version` (another tab, or
    someone else) changes nothing and shows the user's input again with a clear message."""
    assessment = _own_assessment(request, pk)
    if assessment.is_finalised:
        messages.info(request, "This assessment is finalised; it can no longer be changed.")
        return HttpResponseRedirect(portfolio_url("marking_detail", assessment.pk))
    criteria = services.rubric_criteria(assessment.rubric)
    if request.method == "GET":
        form = MarkingForm(initial=MarkingForm.initial_for(assessment), criteria=criteria)
        return render(request, "assessments/marking_edit.html", _marking_context(assessment, form))

    form = MarkingForm(request.POST, criteria=criteria)
    conflict = None
    if form.is_valid():
        try:
            services.update_assessment(
                assessment, request.user, form.service_data(), form.cleaned_data["version"], via="site"
            )
        except StaleVersion:
            assessment.refresh_from_db()
            conflict = {"saved_at": timezone.localtime(assessment.updated_at), "status": assessment.status}
        except Conflict as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            _field_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            if request.POST.get("action") == "finalise":
                return HttpResponseRedirect(portfolio_url("marking_finalise", assessment.pk))
            messages.success(request, f"Draft saved at {timezone.localtime():%H:%M}.")
            return HttpResponseRedirect(portfolio_url("marking_edit", assessment.pk))
    status = 409 if conflict else 400
    return render(
        request,
        "assessments/marking_edit.html",
        _marking_context(assessment, form, conflict=conflict),
        status=status,
    )


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def marking_finalise(request, pk: int):
    """Summary (total, percentage, every criterion) and the confirmation to finalise."""
    assessment = _own_assessment(request, pk)
    if assessment.is_finalised:
        return HttpResponseRedirect(portfolio_url("marking_detail", assessment.pk))
    missing = services.missing_criteria(assessment)
    error = ""
    if request.method == "POST":
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            services.finalise(assessment, request.user, version, via="site")
        except services.IncompleteAssessment as exc:
            missing = exc.missing
            error = exc.messages[0]
        except StaleVersion:
            error = (
                "This marking was changed (maybe by you in another tab) since this summary was shown. "
                "Check the summary below again, then finalise."
            )
            assessment.refresh_from_db()
        except (Conflict, PermissionDenied) as exc:
            error = getattr(exc, "message", str(exc))
        else:
            messages.success(request, "Assessment finalised. The learner can now see it.")
            return HttpResponseRedirect(portfolio_url("marking_detail", assessment.pk))
    return render(
        request,
        "assessments/marking_finalise.html",
        {"assessment": assessment, "grid": assessment_grid(assessment), "missing": missing, "error": error},
        status=400 if error else 200,
    )


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def marking_supersede(request, pk: int):
    """Correct a finalised assessment: a reason, then a new draft that supersedes it."""
    queryset = Assessment.objects.select_related("reflection__learner", "rubric")
    assessment = policy.get(request.user, pk, queryset)
    error = ""
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        try:
            correction = services.supersede(assessment, request.user, reason, via="site")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except (Conflict, PermissionDenied) as exc:
            error = getattr(exc, "message", str(exc))
        else:
            messages.success(request, "A correction was started. The original stays on record as superseded.")
            return HttpResponseRedirect(portfolio_url("marking_edit", correction.pk))
    return render(
        request,
        "assessments/marking_supersede.html",
        {"assessment": assessment, "error": error, "reason": reason, "reason_max": limits.COMMENT},
        status=400 if error else 200,
    )


# --- Reading marks -------------------------------------------------------------------------------


@portfolio_login_required
def marking_detail(request, pk: int):
    """One assessment as a grid, for anyone who may see it."""
    related = ("reflection__learner", "rubric", "assessor", "supersedes", "superseded_by")
    assessment = policy.get(request.user, pk, Assessment.objects.select_related(*related))
    learner = assessment.reflection.learner
    audit.record(request.user, "read", learner=learner, obj=assessment, via="site")
    can_correct = policy.can(request.user, "supersede", assessment)
    return render(
        request,
        "assessments/marking_detail.html",
        {"assessment": assessment, "grid": assessment_grid(assessment), "can_correct": can_correct},
    )


@portfolio_login_required
def marking_results(request, pk: int):
    """A reflection's finalised assessments as grids (the learner's view of their marks)."""
    reflection = reflections.get(request.user, pk, Reflection.objects.select_related("learner"))
    grids = [assessment_grid(a) for a in visible_assessments_of(request.user, reflection)]
    if reflection.learner_id != request.user.pk:
        audit.record(
            request.user, "read", learner=reflection.learner, obj=reflection, via="site", what="marks"
        )
    return render(request, "assessments/marking_results.html", {"reflection": reflection, "grids": grids})
