from __future__ import annotations

import contextlib
import gc
import os

from django.core.wsgi import get_wsgi_application

from rapport.core.allocator import tune_allocator

# Before anything large is allocated: see allocator.py.
tune_allocator()

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
application = get_wsgi_application()

# Warm up before the first request: the ZIP tables and the search index load
# in seconds at a million profiles, which no visitor should wait for.
if os.environ.get("RAPPORT_WARMUP", "1") == "1":
    from django.db import DatabaseError

    from rapport.core import geo
    from rapport.directory import index, search
    from rapport.directory.models import cached_terms

    geo.warm_up()
    # Not migrated yet: the first request builds the index instead.
    with contextlib.suppress(DatabaseError):
        search.term_dictionary(index.get_index())
        cached_terms()

    # What is loaded now lives as long as the process (ZIP tables, vocabulary,
    # Django's own): keep it out of the garbage collector's full passes, which
    # otherwise cost ~25 ms each and land on some unlucky request.
    gc.freeze()
    # ...and what the first requests make that lives as long (see collector.py).
    from rapport.core.collector import freeze_after_first_requests

    freeze_after_first_requests()
