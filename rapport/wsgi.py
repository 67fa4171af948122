from __future__ import annotations

import contextlib
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rapport.settings")
application = get_wsgi_application()

# Warm up before the first request: the ZIP tables and the search index load
# in seconds at a million profiles, which no visitor should wait for.
if os.environ.get("RAPPORT_WARMUP", "1") == "1":
    from django.db import DatabaseError

    from rapport.core import geo
    from rapport.directory import index

    geo.warm_up()
    # Not migrated yet: the first request builds the index instead.
    with contextlib.suppress(DatabaseError):
        index.get_index()
