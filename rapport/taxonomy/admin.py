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

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        # Search caches labels and taxonomy words per index version; an empty
        # change moves the version so every process sees the edit.
        from rapport.directory.index import index_touch
        from rapport.directory.models import forget_terms

        index_touch([])
        forget_terms()

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
