from __future__ import annotations

from django.urls import path

from . import views

# Profile ids travel in POST bodies and tokens in paths: nothing about the person is in a URL.
app_name = "shortlist"
urlpatterns = [
    path("", views.compare, name="compare"),
    path("change/", views.change, name="change"),
    path("clear/", views.clear, name="clear"),
    path("share/", views.share, name="share"),
    path("s/<str:token>/", views.shared, name="shared"),
    path("s/<str:token>/delete/", views.shared_delete, name="shared_delete"),
]
