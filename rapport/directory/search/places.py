"""Where a search is: the text of its place ("98402", "Tacoma, WA", "Washington", "NYC") read
into a `Location`, or the reason it could not be (`LocationResult.problem`, `suggestions`)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from rapport.core import geo
from rapport.core.states import normalize_state, state_name

__all__ = ["NICKNAMES", "Location", "LocationResult", "geo_label", "resolve_location"]

# What people type for a handful of big cities, and the city they mean, as the ZIP table
# names it (keys as `geo.normalize_city_key` reads the typed words, commas aside). The
# label shown is the table's ("New York, NY"), never the typed words recased ("Nyc, NY").
# The key folds "Saint"/"St." and "Fort"/"Ft.", so "Saint Louis" needs no entry of its own
# and "Ft Worth" none at all (there is one Fort Worth).
NICKNAMES: dict[str, tuple[str, str]] = {
    "nyc": ("New York", "NY"),
    "new york city": ("New York", "NY"),
    "la": ("Los Angeles", "CA"),
    "sf": ("San Francisco", "CA"),
    "san fran": ("San Francisco", "CA"),
    "dc": ("Washington", "DC"),
    "d c": ("Washington", "DC"),
    "washington d c": ("Washington", "DC"),
    "philly": ("Philadelphia", "PA"),
    "vegas": ("Las Vegas", "NV"),
    "st louis": ("St. Louis", "MO"),
    "nola": ("New Orleans", "LA"),
}

# 2020 Census populations of the cities the repository ships (the demo's cities); other
# towns are ordered by their number of ZIP codes (`geo.Place.zips`). See `_by_size`.
CENSUS_CSV = Path(__file__).resolve().parent.parent / "data" / "us_cities.csv"


# A ZIP code among other words ("near 98101 please", "Seattle WA 98101", "zip 98101-1234"):
# five digits standing alone, with an optional +4.
_ZIP_IN_TEXT = re.compile(r"(?<![\d-])(\d{5})(?:-\d{4})?(?![\d-])")


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


@cache
def _census() -> dict[tuple[str, str], int]:
    with CENSUS_CSV.open(encoding="utf-8", newline="") as rows:
        return {
            (geo.normalize_city_key(row["city"]), row["state"]): int(row["population"])
            for row in csv.DictReader(rows)
        }


def _by_size(places: list[geo.Place]) -> list[geo.Place]:
    """Namesakes largest first, so "Portland" offers Portland, OR before Portland, ME.

    By 2020 Census population where the shipped table has it (its cities are the large
    ones and each state's main towns), then the rest by their number of ZIP codes, which
    grows with population (Portland, OR has 65, Portland, ME 9). Nothing is fetched.
    """
    census = _census()
    return sorted(
        places,
        key=lambda p: (-census.get((geo.normalize_city_key(p.city), p.state), 0), -p.zips, p.state),
    )


def _nickname(text: str, state: str | None = None) -> geo.Place | None:
    """The city a nickname means ("NYC", "Philly"; with `state`, only if it is there)."""
    meant = NICKNAMES.get(geo.normalize_city_key(text.replace(",", " ")))
    if meant is None or (state is not None and meant[1] != state):
        return None
    return geo.lookup_city(*meant)


def _city(place: geo.Place) -> Location:
    return Location("city", geo_label(place.city, place.state), place.state, place.lat, place.lon)


def resolve_location(text: str) -> LocationResult:
    """'98402', 'near 98402', 'Tacoma, WA', 'Tacoma' (if only one state has one), 'WA', 'NYC'."""
    text = " ".join(text.split()).strip(" ,")
    if not text:
        return LocationResult()
    found = _zip_in_text(text)
    if found is not None:
        return found
    code = normalize_state(text)
    nickname = _nickname(text)
    if nickname is not None:
        if code and code != nickname.state:
            # "LA": Los Angeles or Louisiana? Both, for the person to choose.
            return LocationResult(
                suggestions=(_city(nickname), Location("state", state_name(code), code)),
                problem=str(
                    _("“%(place)s” could mean %(city)s or %(state)s. Which one?")
                    % {"place": text, "city": nickname.city, "state": state_name(code)}
                ),
            )
        return LocationResult(_city(nickname))
    if code:
        return LocationResult(Location("state", state_name(code), code))
    for city, state_text in _city_state_splits(text):
        state = normalize_state(state_text)
        if state:
            place = _nickname(city, state) or geo.lookup_city(city, state)
            if place is None:
                return LocationResult(
                    problem=str(
                        _("We don't know a place called %(city)s in %(state)s.")
                        % {"city": city, "state": state_name(state)}
                    )
                )
            return LocationResult(_city(place))
    places = geo.cities_named(text)
    if len(places) == 1:
        return LocationResult(_city(places[0]))
    if places:
        return LocationResult(
            suggestions=tuple(_city(p) for p in _by_size(places)),
            problem=str(_("Several places are called %(city)s. Which one?") % {"city": text}),
        )
    return LocationResult(
        problem=str(
            _("We don't know a place called %(place)s. Try a ZIP code or “City, ST”.")
            % {"place": text}
        )
    )


def _zip(place: geo.Place) -> Location:
    label = f"{place.zip} ({geo_label(place.city, place.state)})"
    return Location("zip", label, place.state, place.lat, place.lon)


def _zip_in_text(text: str) -> LocationResult | None:
    """A ZIP code, alone or typed with other words around it, is the place: the ZIP is the most exact
    thing a person can give, and the label shown ("98101 (Seattle, WA)") says what was read.
    None when the text holds no five-digit number (the words are read as a place then)."""
    bare = geo.zip5(text)  # "98402", "98402-1234", "984021234"
    codes = [bare] if bare else list(dict.fromkeys(_ZIP_IN_TEXT.findall(text)))
    if not codes:
        return None
    known = [place for code in codes if (place := geo.lookup_zip(code)) is not None]
    if len(known) == 1:
        return LocationResult(_zip(known[0]))
    if known:
        # "12345 Main St, Seattle 98101": both could be ZIP codes, so the person chooses.
        return LocationResult(
            suggestions=tuple(_zip(place) for place in known),
            problem=str(
                _("“%(place)s” has more than one ZIP code in it. Which one?") % {"place": text}
            ),
        )
    if len(codes) == 1:
        return LocationResult(
            problem=str(_("We don't know the ZIP code %(zip)s.") % {"zip": codes[0]})
        )
    return None


def geo_label(city: str, state: str) -> str:
    return f"{city}, {state}"
