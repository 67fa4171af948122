"""The account's own data: download everything (/account/export/) and delete the account
with a 7-day undo (/account/delete/). The work is in account_data.py.

While a deletion is pending, the views that change a profile or claim one are wrapped in
`paused_while_deleting`: they answer with a page that says why and offers the undo, and
change nothing. Export and "Keep my account" stay open."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from rapport.accounts.models import User

from . import account_data
from .models import TherapistProfile

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def paused_while_deleting(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Refuse a write (any unsafe method) from an account scheduled for deletion, with a page
    that says so and offers "Keep my account"; pages that only show still show.

    Why refuse rather than hold the change: the profiles are hidden and will be deleted, so an
    edit would be lost or would wait on an undo nobody may press, and a profile claimed now
    would be deleted with the account (the purge deletes what the account owns on that day).
    Put it under login_required, so only signed-in people reach it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (
            request.method not in SAFE_METHODS
            and isinstance(user, User)
            and user.deletion_requested_at is not None
        ):
            return render(
                request,
                "account_area/deletion_paused.html",
                {"deletion_date": account_data.deletion_date(user)},
                status=409,
            )
        return view(request, *args, **kwargs)

    return wrapper


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # behind login_required
    return user


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    # A POST (with its CSRF token), so no link or prefetch can start a download of personal data.
    data = account_data.account_export(_user(request))
    response = HttpResponse(data, content_type="application/zip")
    name = f"rapport-export-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


class DeleteAccountForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Type your email address to confirm"),
        error_messages={"required": gettext_lazy("Type your email address to confirm.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError(
                _("That is not the email address of this account: nothing was deleted.")
            )
        return email


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.deletion_requested_at is not None:
        # Signed in again within the window: the only thing to do here is keep the account.
        return render(
            request,
            "account_area/delete_scheduled.html",
            {"deletion_date": account_data.deletion_date(user)},
        )
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=user)
    profiles = TherapistProfile.objects.filter(owner=user).order_by("name", "pk")
    # Listed from a feed: the purge keeps the feed from listing it again (DeletedListing).
    imported = any(p.imported for p in profiles)
    if request.method == "POST" and form.is_valid():
        account_data.account_deletion_request(
            user=user, site_url=request.build_absolute_uri(reverse("account_login"))
        )
        logout(request)  # this browser too, not only the other sessions
        return render(
            request,
            "account_area/delete_done.html",
            {
                "deletion_date": account_data.deletion_date(user),
                "days": account_data.DELETION_UNDO_DAYS,
                "imported": imported,
            },
        )
    return render(
        request,
        "account_area/delete.html",
        {
            "form": form,
            "profiles": profiles,
            "imported": imported,
            "days": account_data.DELETION_UNDO_DAYS,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def delete_cancel(request: HttpRequest) -> HttpResponse:
    account_data.account_deletion_cancel(user=_user(request))
    return redirect("account:dashboard")
