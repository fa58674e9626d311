"""The page a person watches while their pack is made (`arcp.pack_requests`).

The status is also JSON for the page's script (`arcp/js/pack_request.js`), which updates the
page in place and goes on to the pack when it is ready; without JavaScript the page has a
"Check again" button. Every request here is asked of `arcp.policies.pack_requests`: the
person who asked alone sees it (404 for anyone else).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect, JsonResponse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_http_methods

from portfolio.site import portfolio_url
from portfolio.views import portfolio_login_required, render

from . import pack_requests
from .models import PackRequest
from .policies import pack_requests as policy

WORKER_NOTE = (
    "No task worker has started on this pack yet. Packs are made in the background by a worker "
    "that runs beside the web server (`python manage.py db_worker`; `make run` starts one). You "
    "can make it here now instead: it takes a few seconds, and nothing is made twice."
)


def ready_message(job: PackRequest) -> str:
    export = job.export
    period = f"{date_format(export.period_from, 'j M Y')} to {date_format(export.period_to, 'j M Y')}"
    if job.reused:
        made = date_format(timezone.localtime(export.created_at), "j M Y H:i")
        return (
            f"The evidence for {period} has not changed since the pack of {made} (pack "
            f"{str(export.pk)[:8]}): that pack is the one to use. Download it below."
        )
    return f"Pack made for {period}. Download it below."


def finish(request, job: PackRequest) -> HttpResponseRedirect:
    """Back to the page that asked, with the outcome in words."""
    if job.status == PackRequest.Status.DONE and job.export_id:
        messages.success(request, ready_message(job))
    else:
        messages.error(request, job.error or "The pack could not be made.")
    return HttpResponseRedirect(job.return_url)


def after_start(request, job: PackRequest) -> HttpResponseRedirect:
    """Where "Make a pack" leads: straight back when the pack is already made (a fast worker,
    or the immediate task backend), else to the progress page."""
    if job.in_progress:
        return HttpResponseRedirect(portfolio_url("arcp_pack_request", job.pk))
    return finish(request, job)


def status_payload(job: PackRequest) -> dict:
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_label": job.get_status_display(),
        "error": job.error,
        "worker_note": WORKER_NOTE if job.waiting_for_worker() else "",
        # Where the script goes when the pack is ready: this page, which then sends the
        # person on with the message (one place says what happened).
        "next_url": None if job.in_progress else portfolio_url("arcp_pack_request", job.pk),
    }


@portfolio_login_required
@require_http_methods(["GET"])
def pack_request(request, pk):
    """Progress of a pack being made; once it is finished, on to the page that asked."""
    job = policy.get(request.user, pk, PackRequest.objects.select_related("learner", "export"))
    if not job.in_progress:
        return finish(request, job)
    context = {
        "job": job,
        "status": status_payload(job),
        "status_url": portfolio_url("arcp_pack_request_status", job.pk),
        "run_now_url": portfolio_url("arcp_pack_request_run_now", job.pk),
    }
    return render(request, "arcp/pack_request.html", context)


@portfolio_login_required
@require_http_methods(["GET"])
def pack_request_status(request, pk):
    """JSON progress for the page's script."""
    return JsonResponse(status_payload(policy.get(request.user, pk)))


@portfolio_login_required
@require_http_methods(["POST"])
def pack_request_run_now(request, pk):
    """No worker came: make the pack in this request (claimed once, so never made twice)."""
    job = policy.get(request.user, pk)
    job = pack_requests.run(job.pk)
    if job.in_progress:  # a worker claimed it first: keep watching
        return HttpResponseRedirect(portfolio_url("arcp_pack_request", job.pk))
    return finish(request, job)
