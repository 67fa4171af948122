"""sitemap.xml: every public page once, under the one URL it is indexed by."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.core.cache import cache
from django.urls import reverse

from rapport.core.states import STATE_CODES
from rapport.taxonomy.models import Kind, Term

from . import index as ix
from .models import TherapistProfile
from .topics import published_places


class StaticSitemap(Sitemap):
    def items(self) -> list[str]:
        return [
            "core:home", "directory:approaches", "directory:issues", "directory:search",
            "directory:how_we_rank", "core:crisis", "core:privacy",
        ]  # fmt: skip

    def location(self, item: str) -> str:
        return reverse(item)


class TopicSitemap(Sitemap):
    kind = Kind.APPROACH
    url_name = "directory:approach"

    def items(self):  # type: ignore[no-untyped-def]
        return Term.objects.active().filter(kind=self.kind).order_by("position")

    def location(self, item: Term) -> str:
        return reverse(self.url_name, args=[item.slug])


class IssueSitemap(TopicSitemap):
    kind = Kind.ISSUE
    url_name = "directory:issue"


def approach_states() -> list[tuple[str, str]]:
    """(approach slug, state code) for every state with at least one specialist, from the index."""
    state = ix.get_index()
    key = f"directory:approach-states:{state.token or 'empty'}"
    pairs = cache.get(key)
    if pairs is None:
        found: set[tuple[str, str]] = set()
        for segment, dead in state.segments:
            for slug, row in segment.rows.get(Kind.APPROACH, {}).items():
                bits = segment.bits[row] if dead is None else segment.bits[row] & ~dead
                for code in STATE_CODES:
                    for namespace in ("office_state", "tele"):
                        other = segment.row(namespace, code)
                        if other is not None and (bits & other).any():
                            found.add((slug, code))
                            break
        pairs = sorted(found)
        cache.set(key, pairs, timeout=24 * 3600)
    return pairs


class ApproachStateSitemap(Sitemap):
    def items(self) -> list[tuple[str, str]]:
        return approach_states()

    def location(self, item: tuple[str, str]) -> str:
        return reverse("directory:approach_state", args=[item[0], item[1].lower()])


class PlaceSitemap(Sitemap):
    def items(self) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        for code, cities in sorted(published_places().items()):
            items.append((code, ""))
            items.extend((code, slug) for slug in sorted(cities))
        return items

    def location(self, item: tuple[str, str]) -> str:
        code, city = item
        if city:
            return reverse("directory:place_city", args=[code.lower(), city])
        return reverse("directory:place_state", args=[code.lower()])


class ProfileSitemap(Sitemap):
    limit = 50_000  # the sitemap protocol's maximum per file; the index splits beyond it

    def items(self):  # type: ignore[no-untyped-def]
        # Demo profiles carry noindex, so they stay out of the sitemap too.
        return (
            TherapistProfile.objects.published()
            .exclude(source="demo")
            .order_by("id")
            .only("slug", "updated_at")
        )

    def lastmod(self, item: TherapistProfile):  # type: ignore[no-untyped-def]
        return item.updated_at


SITEMAPS = {
    "pages": StaticSitemap,
    "approaches": TopicSitemap,
    "issues": IssueSitemap,
    "approach-states": ApproachStateSitemap,
    "places": PlaceSitemap,
    "therapists": ProfileSitemap,
}
