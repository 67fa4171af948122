"""Where a search is: the text of its place ("98402", "Tacoma, WA", "Washington") read into a
`Location`, or the reason it could not be (`LocationResult.problem`, `suggestions`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from rapport.core import geo
from rapport.core.states import normalize_state, state_name

__all__ = ["Location", "LocationResult", "geo_label", "resolve_location"]


@dataclass(frozen=True)
class Location:
    kind: str  # "zip", "city" or "state"
    label: str
    state: str
    lat: float | None = None
    lon: float | None = None

    @property
    def has_point(self) -> bool:
        return self.lat is not None


@dataclass(frozen=True)
class LocationResult:
    location: Location | None = None
    suggestions: tuple[Location, ...] = ()
    problem: str = ""


def _city_state_splits(text: str) -> list[tuple[str, str]]:
    """Ways to read "City, ST" or "Salt Lake City UT": split at a comma, else try the
    last one to three words as the state ("New York NY", "Kansas City Missouri")."""
    if "," in text:
        city, _sep, state = text.rpartition(",")
        return [(city.strip(" ,"), state.strip())] if city.strip(" ,") and state.strip() else []
    words = text.split()
    return [(" ".join(words[:-n]), " ".join(words[-n:])) for n in (1, 2, 3) if len(words) > n]


def resolve_location(text: str) -> LocationResult:
    """'98402', 'Tacoma, WA', 'Tacoma' (if only one state has one), 'WA' or 'Washington'."""
    text = " ".join(text.split()).strip(" ,")
    if not text:
        return LocationResult()
    if geo.zip5(text):
        place = geo.lookup_zip(text)
        if place is None:
            return LocationResult(
                problem=str(_("We don't know the ZIP code %(zip)s.") % {"zip": text})
            )
        label = f"{place.zip} ({geo_label(place.city, place.state)})"
        return LocationResult(Location("zip", label, place.state, place.lat, place.lon))
    code = normalize_state(text)
    if code:
        return LocationResult(Location("state", state_name(code), code))
    for city, state_text in _city_state_splits(text):
        state = normalize_state(state_text)
        if state:
            place = geo.lookup_city(city, state)
            if place is None:
                return LocationResult(
                    problem=str(
                        _("We don't know a place called %(city)s in %(state)s.")
                        % {"city": city, "state": state_name(state)}
                    )
                )
            return LocationResult(
                Location("city", geo_label(place.city, state), state, place.lat, place.lon)
            )
    places = geo.cities_named(text)
    if len(places) == 1:
        place = places[0]
        return LocationResult(
            Location("city", geo_label(place.city, place.state), place.state, place.lat, place.lon)
        )
    if places:
        return LocationResult(
            suggestions=tuple(
                Location("city", geo_label(p.city, p.state), p.state, p.lat, p.lon) for p in places
            ),
            problem=str(_("Several places are called %(city)s. Which one?") % {"city": text}),
        )
    return LocationResult(
        problem=str(
            _("We don't know a place called %(place)s. Try a ZIP code or “City, ST”.")
            % {"place": text}
        )
    )


def geo_label(city: str, state: str) -> str:
    return f"{city}, {state}"
