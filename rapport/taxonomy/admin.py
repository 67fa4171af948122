"""Staff admin for taxonomy terms: list, search and edit what the data files loaded.

The directory re-registers this admin (`rapport/directory/admin.py`) to refresh
its caches of term labels after an edit: the dependency runs directory ->
taxonomy, so this module knows nothing of search or profiles.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from rapport.taxonomy.models import Term


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "slug", "group", "is_active")
    list_filter = ("kind", "group", "is_active")
    search_fields = ("name", "slug", "aliases", "short_name")
    ordering = ("kind", "position", "name")
    list_per_page = 100

    fieldsets = (
        (
            None,
            {
                "fields": ("kind", "slug", "name", "short_name", "group", "summary", "description"),
                "description": _(
                    "Terms come from rapport/taxonomy/data/*.toml. Edits made here are kept "
                    "when the data is synced again, unless the data file itself later "
                    "changes the same field."
                ),
            },
        ),
        (_("Search and matching"), {"fields": ("aliases", "attributes")}),
        (_("Listing"), {"fields": ("position", "is_active")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Term | None = None) -> Any:
        # Profiles, URLs and the interchange format refer to terms by kind and
        # slug, so neither may change once the term exists.
        if obj is not None:
            return ("kind", "slug")
        return ()

    def get_prepopulated_fields(self, request: HttpRequest, obj: Term | None = None) -> Any:
        # A read-only field cannot be prepopulated (the admin would fail).
        return {"slug": ("name",)} if obj is None else {}
