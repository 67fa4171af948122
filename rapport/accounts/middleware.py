"""Staff reach /admin/ only with a second factor set up (issue 16: required for staff)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

# An authenticator app or a passkey; recovery codes alone are a fallback, not a factor.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


class StaffTwoFactorMiddleware:
    """Sends a signed-in staff member without a second factor from any admin page to the
    authenticator-app setup, which offers adding a passkey instead (templates/mfa/totp/
    activate_form.html): either one lets them in. The admin's own login redirects to
    allauth's (rapport/urls.py), which asks for the second step of anyone who has one, so a
    staff session in the admin has passed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: object, view_args: object, view_kwargs: object
    ) -> HttpResponse | None:
        # By the resolved URL, not the path: any admin site, wherever it is mounted.
        match = request.resolver_match
        if match is None or match.app_name != "admin" or match.url_name == "logout":
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return None
        if has_second_factor(user):
            return None
        messages.warning(
            request,
            _(
                "Staff need a second step after the password to use the admin: set up an "
                "authenticator app, or add a passkey."
            ),
        )
        setup = reverse("mfa_activate_totp")
        return HttpResponseRedirect(f"{setup}?{urlencode({'next': request.get_full_path()})}")
