"""Account pages of our own; everything else (login, sign-up, reset, two-factor) is allauth's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rapport.core.ratelimits import too_many_requests

from .middleware import has_second_factor
from .services import end_all_sessions


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """Password, email, two-factor and "sign out everywhere" in one place."""
    return render(
        request, "accounts/security.html", {"has_second_factor": has_second_factor(request.user)}
    )


@login_required
@require_http_methods(["POST"])
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    end_all_sessions(request.user)  # type: ignore[arg-type]
    logout(request)
    messages.success(request, _("You are signed out on every device, this one included."))
    return redirect("account_login")


def rate_limited(request: HttpRequest) -> HttpResponse:
    """allauth's own limits (per signed-in user: change password, manage email) answer with the
    site's 429 page too. allauth does not say how long is left; its windows are a minute."""
    return too_many_requests(request, 60)
