"""A reflection's attachments on the site: the learner adds them (a plain file form that works
without JavaScript, limited before the body is read) and removes them (after a confirmation
page) while the reflection is editable; whoever may see the reflection opens them here, and
only here (never a public media URL). Reads by others are audited."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from reflect.errors import Conflict
from reflect.uploads import UploadTooLarge, form_with_error, in_words, limit_request, settle

from .. import services
from ..attachment_http import file_response
from ..policies import attachments as policy
from ..services.attachment_files import KNOWN_TYPES, max_bytes
from ..site import portfolio_url
from .common import own_reflection, portfolio_login_required, render


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Choose a file to attach",
        help_text="",  # set per request: the types and the limit
        error_messages={"required": f"Choose a file to attach ({KNOWN_TYPES})."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = (
            f"A {KNOWN_TYPES} file of at most {in_words(max_bytes())}, such as a certificate, a "
            "poster or a photo. Photos are stored without their location and camera details."
        )
        self.fields["file"].widget.attrs["accept"] = (
            ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
        )


def _page(request, reflection, form, status=200):
    return render(
        request,
        "portfolio/reflection_attachments.html",
        {
            "reflection": reflection,
            "form": form,
            "attachments": services.visible_attachments(request.user, reflection),
        },
        status=status,
    )


def _editable_or_redirect(request, reflection):
    if policy.may_add(request.user, reflection):
        return None
    messages.info(request, policy.blocked("add", reflection) or "You cannot change these attachments.")
    return HttpResponseRedirect(portfolio_url("reflection_detail", reflection.pk))


@portfolio_login_required
@csrf_exempt  # checked below, once the upload limit is in place (see reflect.uploads)
@require_http_methods(["GET", "POST"])
def reflection_attachments(request, pk: int):
    """The learner's attachments of their editable reflection: the list, a form to add one.
    A file over the limit is refused as it streams in (400, the form with the limit)."""
    if request.method != "POST":
        return _attachments_page(request, pk)
    try:
        try:
            limit_request(request, max_bytes())
        except AttributeError:
            # The body was read already: under the Wagtail page, Django's CSRF middleware
            # checks the page's view (not csrf_exempt) and reads the form first. The file is
            # then held by Django's upload handlers (a temporary file above 2.5 MB) and the
            # service's own size check refuses it with the same message.
            pass
        return csrf_protect(_attachments_page)(request, pk)
    except UploadTooLarge as error:
        settle(request)
        reflection = own_reflection(request, pk)
        form = form_with_error(AttachmentForm(), "file", error.message)
        return _page(request, reflection, form, status=400)


def _attachments_page(request, pk: int):
    reflection = own_reflection(request, pk)
    blocked = _editable_or_redirect(request, reflection)
    if blocked:
        return blocked
    if request.method != "POST":
        return _page(request, reflection, AttachmentForm())
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_attachment(
                reflection, request.user, form.cleaned_data["file"], via="site"
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(portfolio_url("reflection_detail", reflection.pk))
        except ValidationError as exc:
            for message in exc.message_dict.get("file", exc.messages):
                form.add_error("file", message)
        else:
            messages.success(request, f"Attached “{attachment.filename}”.")
            return HttpResponseRedirect(portfolio_url("reflection_edit", reflection.pk) + "#attachments")
    return _page(request, reflection, form, status=400)


@portfolio_login_required
@require_http_methods(["GET", "POST"])
def attachment_remove(request, pk: int, aid: int):
    """Remove an attachment: a confirmation page, then a POST."""
    reflection = own_reflection(request, pk)
    attachment = services.attachment_for(request.user, reflection.pk, aid)
    blocked = _editable_or_redirect(request, reflection)
    if blocked:
        return blocked
    if request.method == "POST":
        try:
            services.remove_attachment(attachment, request.user, via="site")
        except Conflict as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(portfolio_url("reflection_detail", reflection.pk))
        messages.success(request, f"Removed “{attachment.filename}”.")
        return HttpResponseRedirect(portfolio_url("reflection_edit", reflection.pk) + "#attachments")
    return render(
        request, "portfolio/attachment_remove.html", {"reflection": reflection, "attachment": attachment}
    )


@portfolio_login_required
@require_GET
def attachment_file(request, pk: int, aid: int):
    """The file, for whoever may see the reflection (404 for everyone else)."""
    attachment = services.attachment_for(request.user, pk, aid)
    try:
        data = services.read_attachment(attachment, request.user, via="site")
    except FileNotFoundError:
        raise Http404("This file is missing.") from None
    return file_response(attachment, data)
