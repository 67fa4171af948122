"""The shipped ZIP table: in step with the `zipcodes` package, and read without it."""

from __future__ import annotations

import subprocess
import sys

from rapport.core import geo


def test_the_shipped_zip_table_is_what_the_package_says() -> None:
    # Fails after a `zipcodes` upgrade until `python -m rapport.core.geo` is run.
    assert list(geo._zip_rows()) == geo.zip_rows_from_package()


def test_lookups_do_not_load_the_package() -> None:
    """Web workers read the compact table only (the package's records cost ~140 MB)."""
    script = (
        "import sys\n"
        "from rapport.core import geo\n"
        "place = geo.lookup_zip('98402')\n"
        "assert place is not None and place.city == 'Tacoma' and place.state == 'WA', place\n"
        "assert geo.lookup_city('salt lake city', 'UT') is not None\n"
        "assert 'zipcodes' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True)


def test_a_city_centroid_averages_its_own_zips_not_acceptable_names() -> None:
    # Cold Bay's ZIP accepts "Adak", 360 miles away; Adak has its own ZIP.
    adak = geo.lookup_city("Adak", "AK")
    assert adak is not None and adak.lon < -176


class _Office:
    def __init__(self, city: str, lat: float | None, lon: float | None) -> None:
        self.city, self.lat, self.lon = city, lat, lon


def test_it_names_the_office_nearest_to_the_point_and_skips_unlocated_ones() -> None:
    nowhere = _Office("Nowhere", None, None)
    seattle = _Office("Seattle", 47.61, -122.33)
    spokane = _Office("Spokane", 47.66, -117.43)
    offices = [nowhere, spokane, seattle]
    assert geo.nearest_office(offices, 47.25, -122.44) is seattle  # Tacoma
    assert geo.nearest_office(offices, 47.67, -117.24) is spokane  # Spokane Valley
    # No point, or nothing located: the profile's first office, as listed.
    assert geo.nearest_office(offices, None, None) is nowhere
    assert geo.nearest_office([nowhere], 47.25, -122.44) is nowhere
    assert geo.nearest_office([], 47.25, -122.44) is None


def test_city_names_are_spelled_as_the_data_spells_them() -> None:
    # "Andrews AFB" is only an accepted name of some ZIPs; re-cased it read "Andrews Afb".
    andrews = geo.lookup_city("andrews afb", "MD")
    assert andrews is not None and andrews.city == "Andrews AFB"


def test_namesakes_come_largest_first_by_their_number_of_zip_codes() -> None:
    portlands = geo.cities_named("portland")
    assert [p.state for p in portlands[:2]] == ["OR", "ME"]
    assert portlands[0].zips > portlands[1].zips > 0
    assert [p.zips for p in portlands] == sorted((p.zips for p in portlands), reverse=True)


def test_saint_and_fort_are_read_however_they_are_abbreviated() -> None:
    fort_worth = geo.lookup_city("Fort Worth", "TX")
    assert fort_worth is not None
    assert geo.lookup_city("Ft. Worth", "TX") == fort_worth == geo.lookup_city("ft worth", "tx")
    st_louis = geo.lookup_city("St. Louis", "MO")
    assert st_louis is not None and geo.lookup_city("Saint Louis", "MO") == st_louis
