"""Offline US geography: ZIP and city centroids, distances in miles.

Centroids come from the `zipcodes` package (data from GeoNames, CC BY 4.0),
so nothing is fetched at run time. Tables are built once per process, on
first use.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

import zipcodes

from .states import normalize_state

EARTH_RADIUS_MILES = 3958.8
_ZIP = re.compile(r"^\s*(\d{5})(?:-?\d{4})?\s*$")


@dataclass(frozen=True, slots=True)
class Place:
    lat: float
    lon: float
    city: str
    state: str
    zip: str = ""


def normalize_city_key(city: str) -> str:
    city = re.sub(r"[.\s]+", " ", city.lower()).strip()
    return re.sub(r"^(saint|ste?)\b\.?", "st", city)


@cache
def _tables() -> tuple[dict[str, Place], dict[tuple[str, str], Place]]:
    by_zip: dict[str, Place] = {}
    # A city's centroid averages its own ZIPs; ZIPs that merely list it as an
    # "acceptable" name (Cold Bay's ZIP accepts "Adak", 360 miles away) count
    # only for a city that has no ZIP of its own.
    own: dict[tuple[str, str], list[float]] = {}
    acceptable: dict[tuple[str, str], list[float]] = {}
    names: dict[tuple[str, str], str] = {}
    for row in zipcodes.list_all():
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (TypeError, ValueError):
            continue
        if lat == 0 and lon == 0:
            continue
        state = row["state"]
        by_zip[row["zip_code"]] = Place(lat, lon, row["city"], state, row["zip_code"])
        for city in [row["city"], *row.get("acceptable_cities", [])]:
            key = (normalize_city_key(city), state)
            sums = own if city == row["city"] else acceptable
            acc = sums.setdefault(key, [0.0, 0.0, 0.0])
            acc[0] += lat
            acc[1] += lon
            acc[2] += 1
            if city == row["city"]:
                names[key] = row["city"]
            else:
                names.setdefault(key, city.title())
    by_city = {
        key: Place(acc[0] / acc[2], acc[1] / acc[2], names[key], key[1])
        for key, acc in (acceptable | own).items()
    }
    return by_zip, by_city


def zip5(value: str | None) -> str | None:
    """'98402', '98402-1234' or '984021234' -> '98402'; anything else -> None."""
    match = _ZIP.match(value or "")
    return match.group(1) if match else None


def lookup_zip(value: str | None) -> Place | None:
    code = zip5(value)
    return _tables()[0].get(code) if code else None


def lookup_city(city: str | None, state: str | None) -> Place | None:
    code = normalize_state(state or "")
    if not city or not code:
        return None
    return _tables()[1].get((normalize_city_key(city), code))


def cities_named(city: str) -> list[Place]:
    """Every state's city of that name, for "did you mean" when no state was given."""
    key = normalize_city_key(city)
    return sorted(
        (place for (name, _state), place in _tables()[1].items() if name == key),
        key=lambda p: p.state,
    )


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


def warm_up() -> None:
    """Load the tables now (app server start) rather than on the first request."""
    _tables()
