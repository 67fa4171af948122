from __future__ import annotations

from django.urls import path, register_converter

from . import topics, views


class StateConverter:
    """Lower-case USPS codes only ("wa"), so /therapists/wa/ never shadows a profile slug."""

    regex = topics.state_codes_lower()

    def to_python(self, value: str) -> str:
        return value.upper()

    def to_url(self, value: str) -> str:
        return value.lower()


register_converter(StateConverter, "state")

app_name = "directory"
urlpatterns = [
    path("therapists/", views.search, name="search"),
    path("therapists/<state:state>/", topics.place_state, name="place_state"),
    path("therapists/<state:state>/<slug:city>/", topics.place_city, name="place_city"),
    path("therapists/<slug:slug>/", views.profile, name="profile"),
    path("how-we-rank/", views.how_we_rank, name="how_we_rank"),
    path("approaches/", topics.approaches, name="approaches"),
    path("approaches/<slug:slug>/", topics.approach, name="approach"),
    path("approaches/<slug:slug>/<state:state>/", topics.approach, name="approach_state"),
    path("issues/", topics.issues, name="issues"),
    path("issues/<slug:slug>/", topics.issue, name="issue"),
    path("issues/<slug:slug>/<state:state>/", topics.issue, name="issue_state"),
]
