"""The public JSON API (django-ninja) under /api/v1/: search, profiles, taxonomy.

No models of its own: every endpoint reads through the same functions as the
pages (`directory.search.search`, `interchange.export_document`), so the API
and the site can never disagree about what a search finds or what a profile says.
"""
