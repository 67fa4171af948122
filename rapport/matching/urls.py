from __future__ import annotations

from django.urls import path, register_converter

from . import views
from .session import STEPS


class StepNumber:
    """A screen's number, 1 to STEPS; any other number is no page at all (404)."""

    regex = "[0-9]{1,2}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= STEPS:
            raise ValueError(value)  # tells the resolver this path does not match
        return number

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(StepNumber, "step")

# Step numbers and tokens are the only things in these paths: never an answer.
app_name = "matching"
urlpatterns = [
    path("", views.start, name="start"),
    path("step/<step:number>/", views.step, name="step"),
    path("step/2/words/", views.words, name="words"),
    path("results/", views.results, name="results"),
    path("results/relax/", views.relax, name="relax"),
    path("results/keep/", views.keep, name="keep"),
    path("clear/", views.clear, name="clear"),
    path("saved/<str:token>/", views.saved, name="saved"),
    path("saved/<str:token>/delete/", views.saved_delete, name="saved_delete"),
]
