"""The owner's photo page: upload (checked, re-encoded), change the alt text, remove."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.static import serve

from . import photos
from .account_data import deletion_date
from .models import TherapistProfile
from .photo_forms import PhotoForm
from .views_account_data import paused_while_deleting

# The largest request that can carry a photo within the limit: the file, the form's other
# fields and the multipart boundaries.
MAX_REQUEST_BYTES = photos.MAX_UPLOAD_BYTES + 64 * 1024


def get_profile_for_owner(request: HttpRequest) -> TherapistProfile | None:
    """The signed-in therapist's profile (their first, should they hold several), or None."""
    if not request.user.is_authenticated:  # never "owner is None": that is every unclaimed one
        return None
    return TherapistProfile.objects.filter(owner_id=request.user.pk).order_by("pk").first()


@csrf_exempt  # checked below, after the size: the CSRF check would read the whole body first
@login_required
@paused_while_deleting  # before the size: nothing of the body is read either
@require_http_methods(["GET", "HEAD", "POST"])
def photo_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > MAX_REQUEST_BYTES:
            # Refused from the header alone: not one byte of the body is read or stored.
            return _page(
                request,
                get_profile_for_owner(request),
                PhotoForm(),
                str(photos.MESSAGES["too_big"]),
                status=413,
            )
    return _photo_page(request)


@csrf_protect
def _photo_page(request: HttpRequest) -> HttpResponse:
    profile = get_profile_for_owner(request)
    if profile is None:
        return _page(request, None, None)
    has_photo = bool(profile.photo_small)
    if request.method != "POST":
        return _page(
            request, profile, PhotoForm(initial={"alt": profile.photo_alt}, has_photo=has_photo)
        )
    form = PhotoForm(request.POST, request.FILES, has_photo=has_photo)
    if not form.is_valid():
        return _page(request, profile, form, status=400)
    upload, alt = form.cleaned_data["photo"], form.cleaned_data["alt"]
    if upload is None:
        photos.photo_alt_change(profile=profile, alt=alt, by=request.user)
        messages.success(request, _("The description of your photo is saved."))
        return redirect("photos:page")
    try:
        photos.photo_upload(profile=profile, upload=upload, alt=alt, by=request.user)
    except photos.PhotoRefused as refused:
        form.add_error("photo", refused.message)
        return _page(request, profile, form, status=400)
    messages.success(request, _("Your photo is being processed; it appears in a minute."))
    return redirect("photos:page")


@login_required
@require_safe
def photo_too_large(request: HttpRequest) -> HttpResponse:
    """Where nginx sends an upload over its own limit (deploy/nginx.conf, `error_page 413`):
    the same page and message as Django's own refusal, instead of nginx's bare error."""
    profile = get_profile_for_owner(request)
    refusal = str(photos.MESSAGES["too_big"])
    return _page(request, profile, PhotoForm(), refusal, status=413)


@login_required
@paused_while_deleting
@require_POST
def photo_remove(request: HttpRequest) -> HttpResponse:
    profile = get_profile_for_owner(request)
    if profile is not None and profile.photo_small:
        photos.photo_remove(profile=profile, by=request.user)
        messages.success(request, _("Your photo is removed: your initials show in its place."))
    return redirect("photos:page")


def _page(
    request: HttpRequest,
    profile: TherapistProfile | None,
    form: PhotoForm | None,
    refusal: str = "",
    *,
    status: int = 200,
) -> HttpResponse:
    context = {
        "profile": profile,
        "form": form,
        "refusal": refusal,
        "max_mb": photos.MAX_UPLOAD_BYTES // (1024 * 1024),
        "deletion_date": deletion_date(request.user),  # type: ignore[arg-type]  # signed in
    }
    return render(request, "account_area/photo.html", context, status=status)


@require_safe
def media_file(request: HttpRequest, path: str) -> HttpResponseBase:
    """A photo file from MEDIA_ROOT (read at request time, so tests may move it)."""
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    # Every upload gets a new name, so a name's bytes never change.
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
