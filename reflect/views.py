"""Site pages of the bottom layer: a person's own API tokens (`/accounts/api-tokens/`)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from reflect import tokens


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The person's live API tokens, each with a button that revokes it, and one that
    revokes them all. A token is never shown again after it was issued: only its first
    characters, when and to what it was issued, when it was last used and when it expires."""
    if request.method == "POST":
        if "revoke_all" in request.POST:
            count = tokens.revoke_all(
                request.user, reason="revoked by its owner", actor=request.user, via="site"
            )
            messages.success(request, f"Revoked {count} token{'s' if count != 1 else ''}.")
            return redirect("api_tokens")
        try:
            token_id = uuid.UUID(request.POST.get("revoke", ""))
        except ValueError:
            token_id = None
        if token_id is not None and tokens.revoke(request.user, token_id, via="site"):
            messages.success(request, "Token revoked: programs using it must sign in again.")
        else:
            messages.error(request, "That token was not found: it may have expired or been revoked already.")
        return redirect("api_tokens")
    context = {
        "tokens": list(tokens.tokens_of(request.user)),
        "ttl_hours": f"{tokens.ttl().total_seconds() / 3600:g}",
    }
    return render(request, "reflect/api_tokens.html", context)
