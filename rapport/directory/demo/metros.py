"""Metros: the cities offices are placed in, each with the real ZIP codes around it.

Cities come from `rapport/directory/data/us_cities.csv` with their 2020 Census
population (the generator weights them by it); ZIPs are the standard
(street-address) ones `rapport.core.geo` knows, within METRO_RADIUS_MILES of
the city's centre, closer ones likelier.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapport.core import geo

from .weighted import Table

CITIES_CSV = Path(__file__).resolve().parent.parent / "data" / "us_cities.csv"
# Offices are drawn from ZIPs this close to a city's centre.
METRO_RADIUS_MILES = 15.0


@dataclass(frozen=True, slots=True)
class ZipSpot:
    zip: str
    city: str
    state: str
    lat: float
    lon: float
    area_code: str


@dataclass(slots=True)
class Metro:
    city: str
    state: str
    population: int
    lat: float
    lon: float
    zips: Table[ZipSpot]


def _zip_rows() -> list[tuple[str, float, float, str, str, str]]:
    """Standard (street-address) ZIPs the geocoder knows: PO boxes and one-building ZIPs are no office."""
    import zipcodes

    by_zip = geo._tables()[0]
    rows = []
    for row in zipcodes.list_all():
        if row.get("zip_code_type") != "STANDARD" or not row.get("active", True):
            continue
        place = by_zip.get(row["zip_code"])
        if place is None:
            continue
        codes = row.get("area_codes") or []
        rows.append(
            (
                place.zip,
                place.lat,
                place.lon,
                place.city,
                place.state,
                str(codes[0]) if codes else "",
            )
        )
    return rows


@cache
def load_metros(path: Path = CITIES_CSV) -> tuple[Metro, ...]:
    """Cities from the CSV, each with the real ZIPs within METRO_RADIUS_MILES of its centre."""
    grid: dict[tuple[int, int], list[tuple[str, float, float, str, str, str]]] = {}
    for row in _zip_rows():
        grid.setdefault((math.floor(row[1] * 2), math.floor(row[2] * 2)), []).append(row)
    metros: list[Metro] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for entry in csv.DictReader(fh):
            centre = geo.lookup_city(entry["city"], entry["state"])
            if centre is None:
                continue  # the test suite checks every city resolves
            cy, cx = math.floor(centre.lat * 2), math.floor(centre.lon * 2)
            near: list[tuple[float, tuple[str, float, float, str, str, str]]] = []
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    for row in grid.get((cy + dy, cx + dx), ()):
                        d = geo.haversine_miles(centre.lat, centre.lon, row[1], row[2])
                        if d <= METRO_RADIUS_MILES:
                            near.append((d, row))
            if not near:
                # Islands and sparse places: the closest few ZIPs wherever they are.
                everything = [r for cell in grid.values() for r in cell if r[4] == centre.state]
                near = sorted(
                    (
                        (geo.haversine_miles(centre.lat, centre.lon, r[1], r[2]), r)
                        for r in everything
                    ),
                    key=lambda pair: pair[0],
                )[:3]
            if not near:
                continue
            near.sort(key=lambda pair: (pair[0], pair[1][0]))
            fallback_area = next((r[5] for _, r in near if r[5]), "555")
            spots = [ZipSpot(r[0], r[3], r[4], r[1], r[2], r[5] or fallback_area) for _, r in near]
            # Practices cluster toward the centre: closer ZIPs weigh more.
            weights = [1.0 / (1.0 + d / 4.0) for d, _ in near]
            metros.append(
                Metro(
                    entry["city"],
                    entry["state"],
                    int(entry["population"]),
                    centre.lat,
                    centre.lon,
                    Table(spots, weights),
                )
            )
    return tuple(metros)
