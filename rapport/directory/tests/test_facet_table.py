"""Every reader of the facet table (`directory/facets.py`) says what the table says.

Adding a facet is one entry in the table plus its data; these tests name whatever a new
entry still lacks (a SearchQuery field, a taxonomy file) and catch a reader that spells
the facets out again instead of reading the table.
"""

from __future__ import annotations

import dataclasses

import pytest

from rapport.api.schemas import SearchParams
from rapport.directory import forms, index, interchange, views
from rapport.directory.facets import (
    DOCUMENT_TERM_FIELDS,
    FACET_FIELDS,
    FACET_GROUPS,
    FACETS,
    TERM_FIELDS,
    TEXT_FACETS,
)
from rapport.directory.search import SearchQuery
from rapport.directory.search.text import TEXT_KINDS
from rapport.taxonomy.models import Kind
from rapport.taxonomy.sync import DATA_DIR, KIND_FILES
from rapport.testing import make_profile

PARAMS = [facet.param for facet in FACETS]


def test_the_table_names_each_facet_once() -> None:
    for attribute in ("field", "param", "namespace", "page_position"):
        values = [getattr(facet, attribute) for facet in FACETS]
        assert len(set(values)) == len(values), f"two facets share a {attribute}"
    assert sorted(f.page_position for f in FACETS) == list(range(len(FACETS)))


def test_each_facet_sits_in_a_group_and_groups_follow_the_page_order() -> None:
    slugs = [group.slug for group in FACET_GROUPS]
    assert len(set(slugs)) == len(slugs)
    in_page_order = [f.group for f in sorted(FACETS, key=lambda f: f.page_position)]
    assert set(in_page_order) == set(slugs), "a group with no facet, or a facet in no group"
    # Each group's facets are next to each other on the page, groups in the table's order.
    assert list(dict.fromkeys(in_page_order)) == slugs


@pytest.mark.parametrize("facet", FACETS, ids=FACET_FIELDS)
def test_each_facet_has_its_data(facet) -> None:
    """A taxonomy facet has a kind with a terms file; the other kind lists its choices."""
    if facet.kind is None:
        assert facet.choices, f"{facet.field}: a facet without a taxonomy kind needs choices"
    else:
        assert facet.kind in Kind.values
        assert facet.namespace == facet.kind
        assert (DATA_DIR / KIND_FILES[facet.kind]).is_file()


def test_search_query_has_one_tuple_field_per_facet_in_the_table_order() -> None:
    tuple_fields = [f.name for f in dataclasses.fields(SearchQuery) if "tuple" in str(f.type)]
    assert tuple_fields == list(FACET_FIELDS)


def test_the_api_takes_one_parameter_per_facet_in_the_table_order() -> None:
    names = list(SearchParams.model_fields)
    at = names.index(PARAMS[0])
    assert names[at : at + len(PARAMS)] == PARAMS
    assert names[:at] == ["q", "location", "radius", "mode"]


def test_the_search_form_reads_one_parameter_per_facet() -> None:
    assert {facet.param: facet.field for facet in FACETS} == forms.MULTI_PARAMS
    assert set(PARAMS) <= forms.KNOWN_PARAMS


def test_the_page_shows_every_facet_with_its_legend() -> None:
    assert sorted(param for param, _field, _legend, _group in views.FACETS) == sorted(PARAMS)
    assert set(views.DETECTED_PHRASES) == {facet.field for facet in TEXT_FACETS}
    assert [name for name, _kind in TEXT_KINDS] == [facet.field for facet in TEXT_FACETS]


def test_the_index_stores_a_namespace_per_facet_in_the_table_order() -> None:
    assert (*(facet.namespace for facet in FACETS), "flag") == index.COUNTED
    assert tuple(TERM_FIELDS.values()) == index.TERM_FACETS


def test_interchange_stores_each_facet_document_field_as_term_links() -> None:
    assert interchange.TERM_FIELDS == DOCUMENT_TERM_FIELDS
    assert set(DOCUMENT_TERM_FIELDS) <= interchange.LIST_FIELDS


@pytest.mark.django_db
@pytest.mark.usefixtures("own_index")
def test_every_facet_is_counted_by_the_api_and_the_page(client) -> None:
    # An option in every facet, so the page has something to show under each legend.
    make_profile(
        name="Ana Alvarez",
        gender="woman",
        terms=[(f.kind, f"some-{f.param}", f"Some {f.param}") for f in FACETS if f.kind],
    )
    index.index_touch(None)
    body = client.get("/api/v1/therapists").json()
    assert set(body["facets"]) == set(PARAMS)
    page = client.get("/therapists/").content.decode()
    for facet in FACETS:
        assert str(facet.legend) in page
