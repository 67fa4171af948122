from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "core/crisis.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.html")
