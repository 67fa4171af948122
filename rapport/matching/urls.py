from __future__ import annotations

from django.urls import path

from . import views

# Step numbers and tokens are the only things in these paths: never an answer.
app_name = "matching"
urlpatterns = [
    path("", views.start, name="start"),
    path("step/<int:number>/", views.step, name="step"),
    path("step/2/words/", views.words, name="words"),
    path("results/", views.results, name="results"),
    path("results/relax/", views.relax, name="relax"),
    path("results/keep/", views.keep, name="keep"),
    path("clear/", views.clear, name="clear"),
    path("saved/<str:token>/", views.saved, name="saved"),
    path("saved/<str:token>/delete/", views.saved_delete, name="saved_delete"),
]
