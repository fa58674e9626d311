"""The portfolio's screens for learners, tutors, examiners and admins (not the CMS admin)."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from reflect import audit, limits
from reflect import roles as R
from reflect.errors import Conflict, StaleVersion
from reflect.middleware import wants_json
from rubrics.models import Competency

from . import services
from .forms import ReflectionForm, ReviewCommentForm, SignOffForm, SubmitForm
from .models import Allocation, Cohort, Panel, Reflection
from .policies import learners
from .policies import reflections as policy
from .reflective_models import MODELS, get_model
from .search import search_reflections
from .site import portfolio_url


def portfolio_login_required(view):
    """Like `login_required`, but inactive users are treated as signed out, and a script's
    request (the autosave) gets a JSON 401 saying so rather than a redirect to a page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_active:
            if wants_json(request):
                return JsonResponse(
                    {"detail": "You are signed out. Sign in again to go on.", "signed_out": True}, status=401
                )
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def render(request, template: str, context: dict | None = None, status: int = 200):
    context = {"page": getattr(request, "portfolio_page", None), **(context or {})}
    return TemplateResponse(request, template, context, status=status)


@portfolio_login_required
def dashboard(request):
    """One page per person: a section for each role they hold."""
    user = request.user
    roles = R.roles_of(user)
    context: dict = {"roles": roles, "sections": []}
    if R.LEARNER in roles:
        mine = policy.own(user)
        context["learner"] = {
            "counts": {row["status"]: row["n"] for row in mine.values("status").annotate(n=Count("id"))},
            "recent": mine.order_by("-updated_at")[:5],
            "allocations": Allocation.objects.current().filter(learner=user).select_related("tutor"),
        }
    if R.TUTOR in roles:
        allocated = (
            learners.allocated(user)
            .select_related("enrolment__cohort")
            .annotate(
                waiting=Count("reflections", filter=Q(reflections__status=Reflection.Status.SUBMITTED)),
            )
            .order_by("last_name", "first_name")
        )
        context["tutor"] = {"learners": allocated}
    if R.EXAMINER in roles:
        panels = Panel.objects.current().filter(examiner=user).select_related("cohort")
        context["examiner"] = {
            "panels": panels.annotate(learner_count=Count("cohort__enrolments", distinct=True)),
        }
    if R.ADMIN in roles:
        context["admin"] = {
            "cohorts": Cohort.objects.annotate(learner_count=Count("enrolments")).order_by("-year", "name"),
            "submitted": policy.visible(user).filter(status=Reflection.Status.SUBMITTED).count(),
            "learner_count": learners.visible(user).count(),
        }
    if R.PATIENT_REP in roles and len(roles) == 1:
        context["patient_rep_only"] = True
    return render(request, "portfolio/dashboard.html", context)


# --- Reflections: learner -----------------------------------------------------------------
LIST_PAGE_SIZE = 20


def _own_reflection(request, pk: int) -> Reflection:
    """The signed-in learner's own reflection, or 404 (others' do not exist here)."""
    return policy.get(request.user, pk, policy.scope(request.user, "change").select_related("placement"))


def _visible_reflection(request, pk: int) -> Reflection:
    return policy.get(
        request.user, pk, Reflection.objects.select_related("placement", "learner", "signed_off_by")
    )


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
    reflection = _own_reflection(request, pk)
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


@portfolio_login_required
@require_POST
def reflection_autosave(request, pk: int):
    """Autosave (JSON): the edit form's fields plus `version`. 200 {version, saved_at},
    409 {detail} when someone saved since, 400 {detail, errors} for bad input."""
    reflection = _own_reflection(request, pk)
    form = ReflectionForm(request.POST, model_key=reflection.reflective_model)
    if not form.is_valid():
        return JsonResponse(
            {"detail": "Not saved: some fields need attention.", "errors": form.errors.get_json_data()},
            status=400,
        )
    data = form.to_service_data()
    data.pop("reflective_model", None)  # switching models needs a full save
    try:
        services.update_reflection(
            reflection, request.user, data, form.cleaned_data.get("version"), via="site"
        )
    except StaleVersion as exc:
        return JsonResponse({"detail": exc.message}, status=409)
    except Conflict as exc:
        return JsonResponse({"detail": exc.message}, status=409)
    except ValidationError as exc:
        return JsonResponse(
            {"detail": "Not saved: " + " ".join(exc.messages), "errors": getattr(exc, "message_dict", {})},
            status=400,
        )
    return JsonResponse(
        {"version": reflection.version, "saved_at": f"{timezone.localtime(reflection.updated_at):%H:%M}"}
    )


@portfolio_login_required
@require_POST
def reflection_autosave_new(request):
    """The first autosave of a new reflection (JSON): creates the draft from the new-reflection
    form once its required fields are filled in, so nothing typed is lost before the first
    "Save draft". 201 {version, saved_at, autosave_url, edit_url}; the page then goes on
    autosaving to the draft like the edit form. 400 {detail, errors} until the form is valid."""
    if not policy.role_may(request.user, "add"):
        raise Http404("Only learners write reflections")
    model_key = request.POST.get("reflective_model", "")
    if model_key not in MODELS:
        return JsonResponse({"detail": "Not saved: choose a reflective model first."}, status=400)
    form = ReflectionForm(request.POST, model_key=model_key)
    if not form.is_valid():
        return JsonResponse(
            {
                "detail": "Not saved yet: your draft is saved automatically once the required "
                "fields are filled in.",
                "errors": form.errors.get_json_data(),
            },
            status=400,
        )
    try:
        reflection = services.create_reflection(request.user, form.to_service_data(), via="site")
    except ValidationError as exc:
        return JsonResponse(
            {"detail": "Not saved: " + " ".join(exc.messages), "errors": getattr(exc, "message_dict", {})},
            status=400,
        )
    return JsonResponse(
        {
            "version": reflection.version,
            "saved_at": f"{timezone.localtime(reflection.updated_at):%H:%M}",
            "autosave_url": portfolio_url("reflection_autosave", reflection.pk),
            "edit_url": portfolio_url("reflection_edit", reflection.pk),
        },
        status=201,
    )


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def reflection_submit(request, pk: int):
    """Check for patient identifiers, then submit. Blocking findings must be removed;
    warnings need the learner's confirmation."""
    reflection = _own_reflection(request, pk)
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


def _events(reflection):
    return reflection.events.select_related("actor").order_by("created_at", "id")


@portfolio_login_required
def reflection_detail(request, pk: int):
    """Read a reflection: the learner's own (any status) or, for people in scope, a
    submitted one. Tutors review from `reflection_review`."""
    reflection = _visible_reflection(request, pk)
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
            "events": _events(reflection),
            "themes": reflection.themes.all(),
        },
    )


@portfolio_login_required
@require_POST
def reflection_comment(request, pk: int):
    """Add a comment (the learner on their own, or an allocated tutor)."""
    reflection = _visible_reflection(request, pk)
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
        "events": _events(reflection),
        "themes": reflection.themes.all(),
        "changes": services.changes_since_request(reflection),
        "last_request": services.last_changes_request(reflection),
        "comment_form": ReviewCommentForm(),
        "request_form": ReviewCommentForm(prefix="changes"),
        "sign_off_form": SignOffForm(),
        **extra,
    }


@portfolio_login_required
def reflection_review(request, pk: int):
    reflection = _reviewable(request, pk)
    audit.record(request.user, "read", learner=reflection.learner, obj=reflection, via="site")
    return render(request, "portfolio/reflection_review.html", _review_context(request, reflection))


@portfolio_login_required
@require_POST
def reflection_request_changes(request, pk: int):
    reflection = _reviewable(request, pk)
    form = ReviewCommentForm(request.POST, prefix="changes")
    if form.is_valid():
        try:
            services.request_changes(reflection, request.user, form.cleaned_data["comment"], via="site")
        except Conflict as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(portfolio_url("reflection_review", reflection.pk))
        except ValidationError as exc:
            form.add_error("comment", " ".join(exc.messages))
        else:
            messages.success(request, "Changes requested. The learner has been told.")
            return HttpResponseRedirect(portfolio_url("review_queue"))
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
        try:
            services.sign_off(reflection, request.user, form.cleaned_data.get("comment", ""), via="site")
        except Conflict as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(portfolio_url("reflection_review", reflection.pk))
        except ValidationError as exc:
            form.add_error("comment", " ".join(exc.messages))
        else:
            messages.success(request, "Signed off. The learner has been told.")
            return HttpResponseRedirect(portfolio_url("review_queue"))
    return render(
        request,
        "portfolio/reflection_sign_off.html",
        {"reflection": reflection, "form": form},
        status=400 if form.errors else 200,
    )
