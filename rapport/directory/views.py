from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from .models import TherapistProfile


@require_safe
def profile(request: HttpRequest, slug: str) -> HttpResponse:
    # Unpublished profiles 404 exactly like missing ones; with_public_relations
    # keeps the page at a constant number of queries however full the profile is.
    therapist = get_object_or_404(
        TherapistProfile.objects.published().with_public_relations(), slug=slug
    )
    return render(request, "directory/profile.html", {"therapist": therapist})
