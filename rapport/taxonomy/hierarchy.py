"""Which terms count toward which: the `attributes.parent` links of the taxonomy.

A narrower term counts toward its broader one, transitively: a profile listing
"Panic attacks" or "Social anxiety" works with anxiety, and a therapist in
network with a state Blue Cross plan counts for "Blue Cross Blue Shield". One
reading of the links for everyone who needs it: the search index (the bitmap
row of a broad term includes the profiles listing a narrower one, so search,
facet counts and matching agree), the matching explanations, and the
evaluation's oracle.

The links come from the data files (issues.toml, insurance.toml) through the
database, and are read once per process; `forget()` drops them (a signal does
so whenever a term is saved or deleted).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from .models import Kind, Term

# (kind, slug) -> every slug counting toward it, itself included.
_within: dict[tuple[str, str], frozenset[str]] | None = None
_groups: dict[tuple[str, str], str] | None = None

# Payers whose members should not be sent out of network: a Medicaid plan pays
# only its own network, and a provider outside it may not bill a member for
# covered care, so a "superbill" is no help. Their own directories are.
MEDICAID_SLUGS = frozenset({"medicaid", "chip"})
MEDICAID_GROUP = "Medicaid managed-care plans"


def _load() -> dict[tuple[str, str], frozenset[str]]:
    global _within, _groups
    if _within is None:
        parent: dict[tuple[str, str], str] = {}
        groups: dict[tuple[str, str], str] = {}
        for kind, slug, attributes, group in Term.objects.values_list(
            "kind", "slug", "attributes", "group"
        ):
            groups[(kind, slug)] = group
            up = (attributes or {}).get("parent")
            if isinstance(up, str) and up and up != slug:
                parent[(kind, slug)] = up
        under: dict[tuple[str, str], set[str]] = {}
        for (kind, slug), up in parent.items():
            seen = {slug}
            while up and up not in seen:  # transitive; a cycle stops where it closes
                under.setdefault((kind, up), set()).add(slug)
                seen.add(up)
                up = parent.get((kind, up), "")
        _within = {key: frozenset({key[1], *slugs}) for key, slugs in under.items()}
        _groups = groups
    return _within


def narrower(kind: str, slug: str) -> frozenset[str]:
    """`slug` and every term of `kind` that counts toward it."""
    return _load().get((kind, slug), frozenset({slug}))


def counts_toward(kind: str, slug: str, broader: str) -> bool:
    """Whether a profile listing `slug` meets a request for `broader`."""
    return slug in narrower(kind, broader)


def widened() -> dict[tuple[str, str], frozenset[str]]:
    """Every (kind, broad slug) with narrower terms under it -> all the slugs counting."""
    return dict(_load())


def is_medicaid(insurer: str) -> bool:
    """Medicaid, CHIP, or a Medicaid managed-care plan."""
    _load()
    assert _groups is not None
    return insurer in MEDICAID_SLUGS or _groups.get((Kind.INSURANCE, insurer)) == MEDICAID_GROUP


def forget(*_args: object, **_kwargs: object) -> None:
    global _within, _groups
    _within = None
    _groups = None


post_save.connect(forget, sender=Term, dispatch_uid="taxonomy-hierarchy-forget")
post_delete.connect(forget, sender=Term, dispatch_uid="taxonomy-hierarchy-forget-delete")
