"""The directory's controlled vocabularies.

One `Term` table holds every vocabulary (approaches, issues, identities,
communities, insurance, languages, licence types, ages, formats), told apart
by `kind`. The source of truth is `taxonomy/data/*.toml` in the repository;
`rapport sync_taxonomy` copies it into this table idempotently (see sync.py),
and staff can then edit names and descriptions in the admin without the next
sync undoing their edits.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    APPROACH = "approach", _("Approach")
    ISSUE = "issue", _("Issue")
    IDENTITY = "identity", _("Therapist identity")
    COMMUNITY = "community", _("Community served")
    INSURANCE = "insurance", _("Insurance")
    LANGUAGE = "language", _("Language")
    LICENSE_TYPE = "license_type", _("License type")
    AGE = "age", _("Age group")
    FORMAT = "format", _("Format")


class TermQuerySet(models.QuerySet["Term"]):
    def active(self) -> TermQuerySet:
        return self.filter(is_active=True)

    def of_kind(self, kind: str) -> TermQuerySet:
        return self.filter(kind=kind)


class Term(models.Model):
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=120)
    short_name = models.CharField(
        max_length=40, blank=True, help_text=_("Abbreviation shown where space is short, e.g. CBT.")
    )
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Other words people use for it; search and free text map them to this term."),
    )
    group = models.CharField(max_length=80, blank=True)
    summary = models.CharField(max_length=300, blank=True, help_text=_("One plain sentence."))
    description = models.TextField(blank=True)
    # Kind-specific facts: a licence type's profession and whether it is
    # independent or supervised; an insurer's category.
    attributes = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # A digest, per field, of what the data file said at the last sync. The
    # sync rewrites a field only when the file's value has changed since then,
    # so edits staff make in the admin survive re-syncs. Empty for terms that
    # staff created in the admin and that no data file has ever described.
    source_hashes = models.JSONField(default=dict, blank=True, editable=False)

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="taxonomy_term_kind_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name
