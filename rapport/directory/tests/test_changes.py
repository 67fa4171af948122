"""Every writer tells search which profiles changed, through `changes.profiles_changed`.

What search is told is read back from the index's change log (`IndexVersion`,
`IndexChange`) and from full-text search, the two things a search process
reads; the importer, a moderation service and the admin each get a test.
"""

from __future__ import annotations

import pytest

from rapport.directory import changes
from rapport.directory.fulltext import fulltext_search
from rapport.directory.interchange import import_documents
from rapport.directory.models import IndexChange, IndexVersion, TherapistProfile
from rapport.directory.services import profile_approve, profile_submit
from rapport.testing import bob, charlie

pytestmark = pytest.mark.django_db

ADMIN = "/admin/directory/therapistprofile/add/"


def numbered(count: int) -> list[tuple[int, dict[str, object]]]:
    return [
        (n, {"id": f"p{n}", "source": "test", "name": f"Quillon Marsh {n}"})
        for n in range(1, count + 1)
    ]


def versions_since(before: int) -> list[IndexVersion]:
    return list(IndexVersion.objects.filter(pk__gt=before).order_by("pk"))


def newest_version() -> int:
    return IndexVersion.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def changed_ids(version: IndexVersion) -> set[int]:
    return set(IndexChange.objects.filter(version=version.pk).values_list("profile_id", flat=True))


def test_it_logs_every_id_a_small_import_changed() -> None:
    before = newest_version()
    result = import_documents(numbered(5), batch_size=2)
    assert result.created == 5
    versions = versions_since(before)
    assert [v.full for v in versions] == [False, False, False]  # one version per batch
    logged = set().union(*(changed_ids(v) for v in versions))
    assert logged == set(TherapistProfile.objects.values_list("pk", flat=True))
    assert len(fulltext_search("Quillon")) == 5


def test_it_asks_for_a_fresh_snapshot_once_an_import_is_bulk(monkeypatch) -> None:
    # Six profiles stand in for the tens of thousands that make an import bulk.
    monkeypatch.setattr(changes, "DELTA_LIMIT", 4)
    before = newest_version()
    import_documents(numbered(6), batch_size=2)
    versions = versions_since(before)
    # The first batch stays under half the limit; from the second on, the
    # running total is over it, so no more ids are logged.
    assert [v.full for v in versions] == [False, True, True]
    assert len(changed_ids(versions[0])) == 2
    assert not any(changed_ids(v) for v in versions[1:])
    # Full text is kept per profile, so every profile is findable either way.
    assert len(fulltext_search("Quillon")) == 6


def test_it_tells_search_when_a_moderator_publishes_a_profile() -> None:
    profile = charlie().profiles.get()
    profile_submit(profile=profile, by=charlie())
    before = newest_version()
    profile_approve(profile=profile, by=bob())
    [version] = versions_since(before)
    assert changed_ids(version) == {profile.pk} and not version.full
    assert [pk for pk, _ in fulltext_search("Baptiste")] == [profile.pk]


def test_it_tells_search_when_staff_add_or_delete_a_profile_in_the_admin(client) -> None:
    client.force_login(bob())
    empty_inline = {"TOTAL_FORMS": "0", "INITIAL_FORMS": "0"}
    data = {
        "status": "published",
        "source": "staff",
        "external_id": "s1",
        "name": "Nadia Haddad",
        "telehealth_states": "[]",
        "accepting_new_clients": "on",
        **{
            f"{prefix}-{key}": value
            for prefix in ("licenses", "offices", "approach_statements")
            for key, value in empty_inline.items()
        },
    }
    before = newest_version()
    response = client.post(ADMIN, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    profile = TherapistProfile.objects.get(source="staff", external_id="s1")
    [added] = versions_since(before)
    assert changed_ids(added) == {profile.pk}
    assert [pk for pk, _ in fulltext_search("Haddad")] == [profile.pk]

    before = newest_version()
    client.post(f"/admin/directory/therapistprofile/{profile.pk}/delete/", {"post": "yes"})
    assert not TherapistProfile.objects.filter(pk=profile.pk).exists()
    [deleted] = versions_since(before)
    assert changed_ids(deleted) == {profile.pk}
    assert fulltext_search("Haddad") == []
