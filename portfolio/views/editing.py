"""A learner writes: a new reflection (choose a model, then its guided sections), edit,
autosave (JSON, also the first save of a new draft) and submit after the identifier check."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from reflect.errors import Conflict, StaleVersion

from .. import services
from ..forms import ReflectionForm, SubmitForm
from ..policies import reflections as policy
from ..reflective_models import MODELS, get_model
from ..site import portfolio_url
from .common import own_reflection, portfolio_login_required, render


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def reflection_create(request):
    """New reflection: first choose a reflective model (a GET form, works without JS),
    then fill in its guided sections."""
    if not policy.role_may(request.user, "add"):
        raise Http404("Only learners write reflections")
    model_key = request.POST.get("reflective_model") or request.GET.get("model") or ""
    if model_key not in MODELS:
        return render(request, "portfolio/reflection_choose_model.html", {"models": MODELS.values()})
    if request.method == "POST":
        form = ReflectionForm(request.POST, model_key=model_key)
        if form.is_valid():
            try:
                reflection = services.create_reflection(request.user, form.to_service_data(), via="site")
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Draft saved.")
                if request.POST.get("action") == "submit":
                    return HttpResponseRedirect(portfolio_url("reflection_submit", reflection.pk))
                return HttpResponseRedirect(portfolio_url("reflection_edit", reflection.pk))
    else:
        form = ReflectionForm(
            initial={"reflective_model": model_key, "occurred_on": timezone.localdate()}, model_key=model_key
        )
    if request.method == "POST":
        form.show_findings(_posted_findings(request, model_key))
    return render(
        request,
        "portfolio/reflection_form.html",
        {"form": form, "model": get_model(model_key), "reflection": None},
        status=400 if form.errors else 200,
    )


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def reflection_edit(request, pk: int):
    """Edit my draft (or a reflection sent back for changes). Autosave posts to
    `reflection_autosave`; this form works without JavaScript."""
    reflection = own_reflection(request, pk)
    if not reflection.is_editable:
        messages.info(
            request, f"This reflection is {reflection.get_status_display().lower()}; it cannot be edited."
        )
        return HttpResponseRedirect(portfolio_url("reflection_detail", reflection.pk))
    conflict = None
    if request.method == "POST":
        # Sections of the model the form was showing; a new model's sections appear after saving.
        form = ReflectionForm(request.POST, model_key=reflection.reflective_model)
        if form.is_valid():
            data = form.to_service_data()  # switching model: the service carries text over
            try:
                services.update_reflection(
                    reflection, request.user, data, form.cleaned_data.get("version"), via="site"
                )
            except StaleVersion as exc:
                conflict = exc.message
                reflection.refresh_from_db()  # theirs, shown beside the learner's own text
            except Conflict as exc:
                messages.error(request, exc.message)
                return HttpResponseRedirect(portfolio_url("reflection_detail", reflection.pk))
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"Saved at {timezone.localtime():%H:%M}.")
                if request.POST.get("action") == "submit":
                    return HttpResponseRedirect(portfolio_url("reflection_submit", reflection.pk))
                return HttpResponseRedirect(portfolio_url("reflection_edit", reflection.pk))
    else:
        form = ReflectionForm(
            initial=ReflectionForm.initial_for(reflection), model_key=reflection.reflective_model
        )
    if request.method == "POST":
        form.show_findings(_posted_findings(request, reflection.reflective_model))
    else:
        form.show_findings(
            _findings(reflection.reflective_model, reflection.title, reflection.sections or {})
        )
    return render(
        request,
        "portfolio/reflection_form.html",
        {
            "form": form,
            "model": get_model(reflection.reflective_model),
            "reflection": reflection,
            "conflict": conflict,
            "last_request": services.last_changes_request(reflection),
        },
        status=409 if conflict else 400 if form.errors else 200,
    )


def _findings(model_key: str, title: str, sections: dict[str, str]) -> dict:
    """The submission's identifier check on `title` and `sections` (key → HTML), as JSON-ready
    lists by form field name: for the page to show beside each field."""
    found = services.identifiers_while_typing(model_key, title, sections)
    return {
        field: [
            {
                "kind": f.kind,
                "label": f.label,
                "match": f.match,
                "excerpt": f.excerpt,
                "blocking": f.blocking,
                "message": f.message,
            }
            for f in findings
        ]
        for field, findings in found.items()
    }


def _posted_findings(request, model_key: str) -> dict:
    """The check on what was posted, saved or not (a new draft whose required fields are still
    empty is checked too)."""
    model = get_model(model_key)
    sections = {s.key: request.POST.get(f"section_{s.key}", "") for s in model.sections}
    return _findings(model_key, request.POST.get("title", ""), sections)


def _theirs(reflection) -> dict:
    """What is stored now (another tab's save), for the page to show beside the learner's
    own text when autosave meets a newer version: nothing of theirs or ours is lost."""
    reflection.refresh_from_db()
    model = get_model(reflection.reflective_model)
    return {
        "version": reflection.version,
        "saved_at": f"{timezone.localtime(reflection.updated_at):%H:%M}",
        "title": reflection.title,
        "sections": {
            f"section_{s.key}": {"label": s.heading, "html": (reflection.sections or {}).get(s.key, "")}
            for s in model.sections
        },
    }


@portfolio_login_required
@require_POST
def reflection_autosave(request, pk: int):
    """Autosave (JSON): the edit form's fields plus `version`. 200 {version, saved_at,
    findings}, 409 {detail, theirs, findings} when someone saved since (`theirs`: what is
    stored now), 400 {detail, errors, findings} for bad input. `findings`: the submission's
    identifier check on the posted text, field name → list."""
    reflection = own_reflection(request, pk)
    findings = _posted_findings(request, reflection.reflective_model)
    form = ReflectionForm(request.POST, model_key=reflection.reflective_model)
    if not form.is_valid():
        return JsonResponse(
            {
                "detail": "Not saved: some fields need attention.",
                "errors": form.errors.get_json_data(),
                "findings": findings,
            },
            status=400,
        )
    data = form.to_service_data()
    data.pop("reflective_model", None)  # switching models needs a full save
    try:
        services.update_reflection(
            reflection, request.user, data, form.cleaned_data.get("version"), via="site"
        )
    except StaleVersion as exc:
        return JsonResponse(
            {"detail": exc.message, "conflict": True, "theirs": _theirs(reflection), "findings": findings},
            status=409,
        )
    except Conflict as exc:
        return JsonResponse({"detail": exc.message, "findings": findings}, status=409)
    except ValidationError as exc:
        return JsonResponse(
            {
                "detail": "Not saved: " + " ".join(exc.messages),
                "errors": getattr(exc, "message_dict", {}),
                "findings": findings,
            },
            status=400,
        )
    return JsonResponse(
        {
            "version": reflection.version,
            "saved_at": f"{timezone.localtime(reflection.updated_at):%H:%M}",
            "findings": findings,
        }
    )


@portfolio_login_required
@require_POST
def reflection_autosave_new(request):
    """The first autosave of a new reflection (JSON): creates the draft from the new-reflection
    form once its required fields are filled in, so nothing typed is lost before the first
    "Save draft". 201 {version, saved_at, autosave_url, edit_url, findings}; the page then goes
    on autosaving to the draft like the edit form. 400 {detail, errors, findings} until the
    form is valid (the identifier check runs on what was typed all the same)."""
    if not policy.role_may(request.user, "add"):
        raise Http404("Only learners write reflections")
    model_key = request.POST.get("reflective_model", "")
    if model_key not in MODELS:
        return JsonResponse({"detail": "Not saved: choose a reflective model first."}, status=400)
    findings = _posted_findings(request, model_key)
    form = ReflectionForm(request.POST, model_key=model_key)
    if not form.is_valid():
        return JsonResponse(
            {
                "detail": "Not saved yet: your draft is saved automatically once the required "
                "fields are filled in.",
                "errors": form.errors.get_json_data(),
                "findings": findings,
            },
            status=400,
        )
    try:
        reflection = services.create_reflection(request.user, form.to_service_data(), via="site")
    except ValidationError as exc:
        return JsonResponse(
            {
                "detail": "Not saved: " + " ".join(exc.messages),
                "errors": getattr(exc, "message_dict", {}),
                "findings": findings,
            },
            status=400,
        )
    return JsonResponse(
        {
            "version": reflection.version,
            "saved_at": f"{timezone.localtime(reflection.updated_at):%H:%M}",
            "autosave_url": portfolio_url("reflection_autosave", reflection.pk),
            "edit_url": portfolio_url("reflection_edit", reflection.pk),
            "findings": findings,
        },
        status=201,
    )


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def reflection_submit(request, pk: int):
    """Check for patient identifiers, then submit. Blocking findings must be removed;
    warnings need the learner's confirmation."""
    reflection = own_reflection(request, pk)
    if not reflection.is_editable:
        messages.info(request, f"This reflection is already {reflection.get_status_display().lower()}.")
        return HttpResponseRedirect(portfolio_url("reflection_detail", reflection.pk))
    form = SubmitForm(request.POST if request.method == "POST" else None)
    status = 200
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            services.submit(
                reflection, request.user, confirm_warnings=form.cleaned_data["confirm"], via="site"
            )
        except services.IdentifierFindings as exc:
            error = exc.messages[0]
            status = 400
            if not exc.blocking:
                form.add_error("confirm", "Tick this box to confirm, or edit your reflection to remove them.")
        except Conflict as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(portfolio_url("reflection_detail", reflection.pk))
        except ValidationError as exc:
            error = " ".join(exc.messages)
            status = 400
        else:
            messages.success(request, "Submitted. Your tutor has been told it is ready for review.")
            return HttpResponseRedirect(portfolio_url("reflection_detail", reflection.pk))
    findings = services.check_identifiers(reflection)
    return render(
        request,
        "portfolio/reflection_submit.html",
        {
            "reflection": reflection,
            "form": form,
            "findings": findings,
            "blocking": any(f.blocking for f in findings),
            "error": error,
        },
        status=status,
    )
