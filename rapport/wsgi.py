from __future__ import annotations

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
    try:
        index.get_index()
    except DatabaseError:  # not migrated yet: the first request will build it
        pass
