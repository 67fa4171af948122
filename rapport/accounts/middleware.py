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

# A code generator or a security key; recovery codes alone are a fallback, not a factor.
SECOND_FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def has_second_factor(user: Any) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exists()


class StaffTwoFactorMiddleware:
    """Sends a signed-in staff member without TOTP (or a security key) from any admin page to
    the two-factor setup. The admin's own login redirects to allauth's (rapport/urls.py), which
    asks for the code of anyone who has one, so a staff session in the admin has passed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        admin_root = reverse("admin:index")
        user = getattr(request, "user", None)
        if (
            request.path.startswith(admin_root)
            and request.path != reverse("admin:logout")
            and user is not None
            and user.is_authenticated
            and user.is_staff
            and not has_second_factor(user)
        ):
            messages.warning(
                request,
                _("Staff need two-factor authentication to use the admin. Please set it up."),
            )
            setup = reverse("mfa_activate_totp")
            return HttpResponseRedirect(f"{setup}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
