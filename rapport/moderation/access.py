"""Who may use the staff pages under /staff/: signed-in staff with a second factor and the
permission the page needs (granted through the "moderator" and "administrator" groups).

- anonymous: to the sign-in page, then back;
- signed in but not staff (a therapist): 404, the same as a page that does not exist;
- staff without two-factor: sent to set it up, as the admin does (accounts/middleware.py);
- staff without the page's permission: 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from rapport.accounts.middleware import has_second_factor

REVIEW = "moderation.review_queue"
EXPORT_AUDIT = "moderation.export_auditevent"


def staff_area(
    permission: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_staff or not user.is_active:
                raise Http404
            if not has_second_factor(user):
                messages.warning(
                    request,
                    _(
                        "Staff need two-factor authentication to use the staff pages. Please set it up."
                    ),
                )
                setup = reverse("mfa_activate_totp")
                return HttpResponseRedirect(
                    f"{setup}?{urlencode({'next': request.get_full_path()})}"
                )
            if not user.has_perm(permission):
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            # Staff pages hold private details: never stored by a browser or a proxy.
            response["Cache-Control"] = "no-store"
            return response

        return wrapped

    return decorator
