"""Offline US geography: ZIP and city centroids, distances in miles.

Centroids come from the `zipcodes` package (data from GeoNames, CC BY 4.0),
so nothing is fetched at run time. What geocoding needs of it is kept in
`data/zip_centroids.tsv.gz` (regenerate with `python -m rapport.core.geo`;
a test fails when it drifts from the installed package): loading the
package's 42,000 full records cost every web worker ~140 MB that Python
never gave back. Tables are built once per process, on first use.
"""

from __future__ import annotations

import gzip
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol, TypeVar

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
    # A city's number of ZIP codes named after it (0 for a ZIP's own Place): the table's
    # measure of its size, which orders namesakes ("Portland": Oregon's has far more).
    zips: int = 0


def normalize_city_key(city: str) -> str:
    """The key a city is looked up by: "St. Louis", "Saint Louis" and "st louis" are one
    city, as are "Fort Worth" and "Ft. Worth"."""
    city = re.sub(r"[.\s]+", " ", city.lower()).strip()
    city = re.sub(r"^(saint|ste?)\b\.?", "st", city)
    return re.sub(r"^(fort|ft)\b\.?", "ft", city)


ZIP_TABLE = Path(__file__).parent / "data" / "zip_centroids.tsv.gz"
ZipRow = tuple[str, float, float, str, str, list[str]]  # zip, lat, lon, city, state, also-named


def _zip_rows() -> Iterator[ZipRow]:
    with gzip.open(ZIP_TABLE, "rt", encoding="utf-8") as lines:
        for line in lines:
            code, lat, lon, city, state, also = line.rstrip("\n").split("\t")
            yield code, float(lat), float(lon), city, state, also.split("|") if also else []


def zip_rows_from_package() -> list[ZipRow]:
    """The located ZIPs of the `zipcodes` package, as `_zip_rows()` reads them."""
    import zipcodes

    rows = []
    for row in zipcodes.list_all():
        try:
            lat, lon = float(row["lat"]), float(row["long"])
        except (TypeError, ValueError):
            continue
        if lat == 0 and lon == 0:
            continue
        also = list(row.get("acceptable_cities") or [])
        rows.append((row["zip_code"], lat, lon, row["city"], row["state"], also))
    return rows


def write_zip_table(path: Path = ZIP_TABLE) -> int:
    rows = zip_rows_from_package()
    for row in rows:
        if any(ch in field for field in (row[3], row[4], *row[5]) for ch in "\t\n|"):
            raise ValueError(f"a separator in the ZIP data: {row!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same data gives the same bytes.
    with gzip.GzipFile(path, "wb", mtime=0) as raw:
        raw.write(
            "".join(
                f"{code}\t{lat!r}\t{lon!r}\t{city}\t{state}\t{'|'.join(also)}\n"
                for code, lat, lon, city, state, also in rows
            ).encode("utf-8")
        )
    return len(rows)


@cache
def _tables() -> tuple[dict[str, Place], dict[tuple[str, str], Place]]:
    by_zip: dict[str, Place] = {}
    # A city's centroid averages its own ZIPs; ZIPs that merely list it as an
    # "acceptable" name (Cold Bay's ZIP accepts "Adak", 360 miles away) count
    # only for a city that has no ZIP of its own.
    own: dict[tuple[str, str], list[float]] = {}
    acceptable: dict[tuple[str, str], list[float]] = {}
    names: dict[tuple[str, str], str] = {}
    for code, lat, lon, city_name, state, also in _zip_rows():
        by_zip[code] = Place(lat, lon, city_name, state, code)
        for city in [city_name, *also]:
            key = (normalize_city_key(city), state)
            sums = own if city == city_name else acceptable
            acc = sums.setdefault(key, [0.0, 0.0, 0.0])
            acc[0] += lat
            acc[1] += lon
            acc[2] += 1
            # Names as the data spells them ("Andrews AFB"), never re-cased.
            if city == city_name:
                names[key] = city_name
            else:
                names.setdefault(key, city)
    by_city = {
        key: Place(
            acc[0] / acc[2],
            acc[1] / acc[2],
            names[key],
            key[1],
            zips=int(own[key][2]) if key in own else 0,
        )
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
    """Every state's city of that name, for "did you mean" when no state was given:
    the one with the most ZIP codes first (then by state)."""
    key = normalize_city_key(city)
    return sorted(
        (place for (name, _state), place in _tables()[1].items() if name == key),
        key=lambda p: (-p.zips, p.state),
    )


def haversine_miles(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(math.sqrt(a))


class _Located(Protocol):
    lat: float | None
    lon: float | None


_O = TypeVar("_O", bound=_Located)


def nearest_office(offices: Iterable[_O], lat: float | None, lon: float | None) -> _O | None:
    """The office nearest to a point: the one a card names for a search with a place.

    Offices without coordinates are never nearest; with no point (or no located
    office) the first office stands, as a profile lists them. None for no offices.
    The one rule for the search page's and Find your match's cards; the index
    computes the same distance vectorised for ranking (search's radius).
    """
    offices = list(offices)
    if lat is None or lon is None:
        return offices[0] if offices else None
    located = [o for o in offices if o.lat is not None and o.lon is not None]
    if not located:
        return offices[0] if offices else None
    return min(located, key=lambda o: haversine_miles(lat, lon, o.lat, o.lon))  # type: ignore[arg-type]


def warm_up() -> None:
    """Load the tables now (app server start) rather than on the first request."""
    _tables()


if __name__ == "__main__":
    print(f"{write_zip_table():,} ZIPs written to {ZIP_TABLE}")
