"""The term admin through HTTP: an edit shows on search and profile pages at once.

Search and the profile pages cache term labels (per index version, and for 30 s
per process); the directory's re-registered term admin must refresh both.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from rapport.directory import index as ix
from rapport.directory.fulltext import fulltext_sync
from rapport.taxonomy.models import Kind, Term
from rapport.testing import alice_profile, bob

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

SEARCH = "/therapists/?location=98402"


def taxonomy_editor():
    """Bob, the staff moderator, given the right to edit terms (moderators lack it by default)."""
    user = bob()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="taxonomy", codename="change_term")
    )
    return user


def text_of(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def edit(term: Term, **changes: object) -> None:
    client = Client()
    client.force_login(taxonomy_editor())
    fields = {
        "name": term.name,
        "short_name": term.short_name,
        "group": term.group,
        "summary": term.summary,
        "description": term.description,
        "aliases": term.aliases,
        "attributes": term.attributes,
        "position": term.position,
        "is_active": "on" if term.is_active else "",
    }
    fields.update(changes)
    # The admin's JSON fields take JSON text.
    form = {
        key: value if isinstance(value, str | int) else json.dumps(value)
        for key, value in fields.items()
    }
    response = client.post(reverse("admin:taxonomy_term_change", args=[term.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]


def published() -> str:
    profile = alice_profile()
    # Written through the ORM: tell search, as the importer would.
    fulltext_sync(None)
    ix.index_touch(None)
    return profile.get_absolute_url()


def test_a_renamed_term_shows_on_search_and_profile_pages_at_once() -> None:
    profile_url = published()
    visitor = Client()
    # Seen once, so both pages have the old label cached.
    assert "Depression (1)" in text_of(visitor, SEARCH)
    assert "Depression" in text_of(visitor, profile_url)

    edit(Term.objects.get(kind=Kind.ISSUE, slug="depression"), name="Low mood and depression")

    assert "Low mood and depression (1)" in text_of(visitor, SEARCH)
    assert "Low mood and depression" in text_of(visitor, profile_url)


def test_a_deactivated_term_leaves_the_search_filters_at_once() -> None:
    published()
    visitor = Client()
    assert "Depression (1)" in text_of(visitor, SEARCH)

    edit(Term.objects.get(kind=Kind.ISSUE, slug="depression"), is_active="")

    # No longer offered as a filter. (Profiles that list it still show it, on
    # their card and page: deactivating retires a term, it does not edit profiles.)
    search = text_of(visitor, SEARCH)
    assert "Depression (" not in search
    assert "Anxiety (1)" in search
