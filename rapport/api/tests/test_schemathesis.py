"""The API against its own OpenAPI document, with generated requests (schemathesis).

Requests are generated from the published schema, valid and invalid ones,
and sent to the WSGI application in-process, through the whole middleware
stack and the test database. Every response must be no server error and
exactly what the schema says (status code, content type, body).
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rapport.directory import index as ix
from rapport.directory.fulltext import fulltext_sync
from rapport.directory.models import Status
from rapport.taxonomy.models import Kind
from rapport.testing import make_profile, make_term

# Not `positive_data_acceptance`: a well-formed slug the taxonomy lacks ("abc")
# is valid by the schema and rightly a 400.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# Django's own WSGI handler, not rapport.wsgi: that module warms the search
# index as it is imported, and at collection time there is no test database yet.
# Fetching the schema needs none.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def directory(db, tmp_path, monkeypatch):
    """A few profiles, with and without offices, fees and statements, and one unpublished."""
    monkeypatch.setenv("RAPPORT_INDEX_DIR", str(tmp_path / "index"))
    make_term(Kind.ISSUE, "trauma", "Trauma")
    make_profile(name="Zoë Ångström", gender="woman")
    make_profile(
        name="Sam Lee",
        offices=[{"city": "Seattle", "state": "WA", "zip": "98101"}],
        terms=[(Kind.ISSUE, "trauma")],
        fee_min=None,
        fee_max=None,
    )
    make_profile(name="Nobody Anywhere", offices=[], telehealth=False, statement="")
    make_profile(name="Not Yet", status=Status.PENDING)
    ix.index_touch(None)
    ix.reset_for_tests()
    fulltext_sync(None)
    # As Django's test client does: the handler's per-request connection
    # cleanup would close the connection that holds the test's transaction
    # (PostgreSQL), losing the data set up above.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        ix.reset_for_tests()


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,  # the same requests on every run: a failure here is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_it_conforms_to_its_schema(case, directory):
    case.call_and_validate(checks=CHECKS)
