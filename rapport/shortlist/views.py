"""The shortlist: save and remove from any list of therapists, compare, share for 7 days.

Saving changes only the person's own session (session.py); sharing stores the
profile ids under a random link (models.py) and nothing else.

Save and Remove are POSTs without a CSRF token: the buttons sit on pages people
only browse, and rendering a token there would set a cookie on every search
(the privacy page promises that browsing sets none). They are protected by
checking where the request comes from instead, as browsers report it:
`Sec-Fetch-Site: same-origin`, else an `Origin` of this site, else a same-site
`Referer` (the site-wide Referrer-Policy is same-origin, so our own pages send
it); a request with none of these is refused. Share, Delete and Remove all,
on the shortlist's own page, use Django's usual CSRF token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.csrf import csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from rapport.directory.models import TherapistProfile

from . import compare as cmp
from .buttons import control_html
from .models import SavedShortlist, saved_shortlist_create
from .session import CAP, keep_only, saved_ids, shortlist_add, shortlist_clear, shortlist_remove


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _safe(request: HttpRequest, url: str) -> bool:
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def from_this_site(request: HttpRequest) -> bool:
    """Whether the browser says this POST was sent by one of this site's own pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin == _own_origin(request) or origin in settings.CSRF_TRUSTED_ORIGINS
    referer = request.headers.get("Referer", "")
    return (
        bool(referer) and urlsplit(referer).netloc == request.get_host() and _safe(request, referer)
    )


def _back(request: HttpRequest) -> str:
    """Where to return after a change without JavaScript: the form's `next`, else the page
    it was sent from (the search page's buttons have no `next`), if either is this site's."""
    wanted = request.POST.get("next", "")
    if _safe(request, wanted):
        return wanted
    referer = request.headers.get("Referer", "")
    if _safe(request, referer):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return reverse("shortlist:compare")


def _profile_id(request: HttpRequest) -> tuple[str, int | None]:
    action = "add" if "add" in request.POST else "remove"
    try:
        pk = int(request.POST.get(action, ""))
    except ValueError:
        return action, None
    return action, pk if pk > 0 else None


def _htmx_reply(
    request: HttpRequest, profile: TherapistProfile | None, pk: int, message: str
) -> HttpResponse:
    """The control in its new state, the header's count and the message for screen
    readers (out of band, into the header's live region)."""
    ids = saved_ids(request)
    parts = []
    if profile is not None:
        parts.append(
            control_html(
                profile_id=pk,
                name=profile.name,
                saved=pk in ids,
                next_url=request.POST.get("next", ""),
                in_form=request.POST.get("in_form") == "1",
            )
        )
    parts.append(
        render_to_string(
            "shortlist/_nav.html", {"shortlist_count": len(ids), "oob": True, "message": message}
        )
    )
    response = HttpResponse("".join(parts))
    if profile is None:
        response["HX-Reswap"] = "none"  # nothing to swap in place; the message still arrives
    return response


@csrf_exempt  # protected by from_this_site instead: see the module's docstring
@never_cache
@require_POST
def change(request: HttpRequest) -> HttpResponse:
    if not from_this_site(request):
        return csrf_failure(request, reason="The request did not come from this site.")
    action, pk = _profile_id(request)
    profile = None
    if pk is not None:
        profile = TherapistProfile.objects.published().filter(pk=pk).only("id", "name").first()
    level = messages.SUCCESS
    if pk is None:
        message, level = (
            _("Nothing was changed: that therapist could not be found."),
            messages.ERROR,
        )
    elif action == "remove":
        shortlist_remove(request, pk)
        message = (
            _("Removed %(name)s from your shortlist.") % {"name": profile.name}
            if profile is not None
            else _("Removed from your shortlist.")
        )
    elif profile is None:
        message, level = _("This therapist's profile is no longer listed."), messages.ERROR
    elif shortlist_add(request, pk):
        message = _("Saved %(name)s to your shortlist.") % {"name": profile.name}
    else:
        message = _("Your shortlist is full (%(cap)s therapists). Remove one to save another.") % {
            "cap": CAP
        }
        level = messages.ERROR
    if request.headers.get("HX-Request") == "true" and pk is not None:
        return _htmx_reply(request, profile, pk, message)
    messages.add_message(request, level, message)
    target = _back(request)
    if profile is not None and "#" not in target and target != reverse("shortlist:compare"):
        # Back to the same card, not the top of a long list: the control shows what changed.
        target += f"#sl-{pk}"
    return redirect(target)


def _page(
    request: HttpRequest, profiles: list[TherapistProfile], extra: dict[str, Any]
) -> HttpResponse:
    cols = cmp.columns(profiles)
    context = {"columns": cols, "rows": cmp.table_rows(cols), "cap": CAP, **extra}
    return render(request, "shortlist/compare.html", context)


@never_cache
@require_safe
def compare(request: HttpRequest) -> HttpResponse:
    profiles = cmp.published_in_order(saved_ids(request))
    keep_only(request, {p.pk for p in profiles})  # stale ids drop out quietly
    return _page(request, profiles, {"shared": None})


@never_cache
@require_POST
def clear(request: HttpRequest) -> HttpResponse:
    shortlist_clear(request)
    messages.success(request, _("Your shortlist is empty now."))
    return redirect("shortlist:compare")


@never_cache
@require_POST
def share(request: HttpRequest) -> HttpResponse:
    """Only on this click do the saved ids leave the session: a private link for 7 days."""
    ids = saved_ids(request)
    published = cmp.published_in_order(ids)
    ids = keep_only(request, {p.pk for p in published})
    if not ids:
        messages.error(request, _("Your shortlist is empty, so there is nothing to share."))
        return redirect("shortlist:compare")
    _row, token = saved_shortlist_create(profile_ids=ids)
    return redirect("shortlist:shared", token=token)


def _gone(request: HttpRequest, status: int) -> HttpResponse:
    return render(request, "shortlist/gone.html", {"status": status}, status=status)


@never_cache
@require_safe
def shared(request: HttpRequest, token: str) -> HttpResponse:
    row = SavedShortlist.objects.for_token(token).first()
    if row is None:
        return _gone(request, 404)
    if row.is_expired:
        return _gone(request, 410)
    ids = [pk for pk in row.profile_ids if isinstance(pk, int)]
    # The address is the key to the list. The site-wide Referrer-Policy (same-origin) keeps
    # it from other sites, as for Find your match's saved lists (see matching.views.saved).
    return _page(
        request,
        cmp.published_in_order(ids),
        {"shared": row, "token": token, "shared_url": request.build_absolute_uri()},
    )


@never_cache
@require_POST
def shared_delete(request: HttpRequest, token: str) -> HttpResponse:
    SavedShortlist.objects.for_token(token).delete()
    messages.success(request, _("The shared link is deleted. Nobody can open it now."))
    return redirect("shortlist:compare")
