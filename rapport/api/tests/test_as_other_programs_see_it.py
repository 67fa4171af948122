"""The API as other programs see it: a generated client, and the responses the document promises.

A client is generated from /api/v1/openapi.json, fetched over HTTP from a live server, by
openapi-python-client (a standard generator, run offline the way a client's author would run
it), imported from a temporary folder, and used against that server with demo profiles from
`seed_demo`. Then a table of requests, one crafted for each response the document lists for
each operation, is sent over a real socket: the status, media type, headers and body must be
what the document says, and requests a client might get wrong must still come back with a
status the document lists.
"""

from __future__ import annotations

import http.client
import importlib
import io
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import jsonschema  # type: ignore[import-untyped]
import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

from rapport.core import middleware
from rapport.directory import index as ix
from rapport.directory.models import OldSlug, TherapistProfile
from rapport.taxonomy.sync import sync_taxonomy

pytest.importorskip(
    "openapi_python_client",
    reason="openapi-python-client is not installed: pip install -e '.[dev]'",
)

pytestmark = [pytest.mark.usefixtures("own_index")]

DOCUMENT = "/api/v1/openapi.json"
PACKAGE = "rapport_generated_client"


# --- The server, the document, the generated client ---------------------------------------------


def fetch(base: str, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request over a socket, as sent: `target` is not re-encoded or normalised."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        conn.request(method, target, headers={"Accept": "application/json"})
        response = conn.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def document(live_server: Any, django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        status, headers, body = fetch(live_server.url, DOCUMENT)
    assert status == 200, body[:500]
    assert headers["content-type"].startswith("application/json")
    return dict(json.loads(body))


@pytest.fixture(scope="module")
def generated(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The client package openapi-python-client writes for the document, imported."""
    folder = tmp_path_factory.mktemp("client")
    source = folder / "openapi.json"
    source.write_text(json.dumps(document))
    bin_dir = Path(sys.executable).parent
    result = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"), "generate", "--path", str(source),
            "--output-path", str(folder / PACKAGE), "--meta", "none",
        ],
        cwd=folder,
        # Its post-generation hooks run ruff from PATH (the dev extra installs it). No network:
        # proxies pointed nowhere, so a generator that reached out would fail here.
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
             "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # A warning means part of the document was skipped (an endpoint or a model left out).
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def client_module(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture
def demo(transactional_db: None, settings: Any, tmp_path: Path) -> list[TherapistProfile]:
    """Demo profiles as `rapport seed_demo` makes them (its avatars in this test's folder)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    sync_taxonomy()
    call_command("seed_demo", "--therapists", "60", "--seed", "1", stdout=io.StringIO())
    ix.reset_for_tests()
    profiles = list(TherapistProfile.objects.published().order_by("id"))
    assert len(profiles) >= 30
    return profiles


# --- A generated client ---------------------------------------------------------------------------


def test_it_generates_a_client_that_searches_and_reads_a_profile(
    live_server: Any, generated: Any, demo: list[TherapistProfile]
) -> None:
    search = client_module("api.therapists.search_therapists")
    get_therapist = client_module("api.therapists.get_therapist")
    models = client_module("models")
    client = generated.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    # A place and a need of one real demo profile: the search must find it.
    wanted = next(p for p in demo if p.in_person and p.offices.exists() and p.accepting_new_clients)
    office = wanted.offices.order_by("position").first()
    assert office is not None
    issue = wanted.terms.filter(kind="issue").order_by("slug").first()
    assert issue is not None
    found: list[Any] = []
    page = 1
    while True:
        result = search.sync(
            client=client,
            location=office.zip,
            issues=[issue.slug],
            radius=models.SearchTherapistsRadius.VALUE_50,
            per_page=50,
            page=page,
        )
        assert isinstance(result, models.SearchOut), result
        found += result.results
        if page >= result.pages:
            break
        page += 1
    assert wanted.slug in [hit.id for hit in found]
    assert result.location.kind == models.LocationOutKind.ZIP
    assert len(found) == result.total
    # Every hit has the issue the search asked for, per the database.
    with_issue = set(
        TherapistProfile.objects.published()
        .filter(terms=issue, slug__in=[hit.id for hit in found])
        .values_list("slug", flat=True)
    )
    assert with_issue == {hit.id for hit in found}

    profile = get_therapist.sync(client=client, id=wanted.slug)
    assert isinstance(profile, models.ProfileOut), profile
    assert (profile.slug, profile.name, profile.url) == (
        wanted.slug,
        wanted.name,
        wanted.get_absolute_url(),
    )
    assert issue.slug in profile.issues
    # The private address never leaves the server, whatever the generated model allows.
    assert "email" not in profile.to_dict()

    # Documented errors come back as the documented model, not as an exception.
    unknown = search.sync(client=client, issues=["anxeity"])
    assert isinstance(unknown, models.ErrorOut)
    assert "anxeity" in unknown.error
    missing = get_therapist.sync(client=client, id="nobody-at-all-0000")
    assert isinstance(missing, models.ErrorOut)


def test_it_reads_the_taxonomy_through_the_generated_client(
    live_server: Any, generated: Any, demo: list[TherapistProfile]
) -> None:
    taxonomy = client_module("api.taxonomy.taxonomy")
    client = generated.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    terms = taxonomy.sync(client=client)
    issues = terms.additional_properties["issue"]
    assert "anxiety" in [term.slug for term in issues]


# --- Every documented response, as sent ---------------------------------------------------------


def _ref_schema(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    # OpenAPI 3.1 schemas are JSON Schema 2020-12; refs point into the document's components.
    return {**schema, "components": document["components"]}


def check_against_document(
    document: dict[str, Any],
    operation: dict[str, Any],
    status: int,
    headers: dict[str, str],
    body: bytes,
) -> None:
    """What came back is a response the operation documents, in every detail documented."""
    responses = operation["responses"]
    assert str(status) in responses, f"undocumented {status}: {body[:300]!r}"
    documented = responses[str(status)]
    for name, header in documented.get("headers", {}).items():
        assert name.lower() in headers, f"{status} without its documented {name}"
        value: object = headers[name.lower()]
        if header["schema"].get("type") == "integer":  # Retry-After; Location is a string
            value = int(str(value))
        jsonschema.validate(value, header["schema"])
    content = documented.get("content", {})
    if "application/json" in content:
        assert headers.get("content-type", "").startswith("application/json"), headers
        schema = _ref_schema(document, content["application/json"]["schema"])
        jsonschema.Draft202012Validator(schema).validate(json.loads(body))
    else:
        assert not content, content


# (operation, status, request target, what the request gets wrong, if anything)
SEARCH, PROFILE, TAXONOMY = (
    ("/api/v1/therapists", "get"),
    ("/api/v1/therapists/{id}", "get"),
    ("/api/v1/taxonomy", "get"),
)
DOCUMENTED_CASES: list[tuple[tuple[str, str], int, str]] = [
    (SEARCH, 200, "/api/v1/therapists?" + urlencode({"location": "WA", "issues": "anxiety"})),
    (SEARCH, 400, "/api/v1/therapists?issues=anxeity"),  # an unknown slug
    (SEARCH, 400, "/api/v1/therapists?location=Nowhereville%2C%20ZZ"),  # an unknown place
    (SEARCH, 400, "/api/v1/therapists?page=0"),  # out of the documented range
    (PROFILE, 200, "/api/v1/therapists/{slug}"),
    (PROFILE, 308, "/api/v1/therapists/{old_slug}"),  # a name the profile had before a rename
    (PROFILE, 404, "/api/v1/therapists/nobody-at-all-0000"),
    (TAXONOMY, 200, "/api/v1/taxonomy"),
]
# Requests a client could get wrong: whatever comes back must be documented.
UNDOCUMENTED_BAIT: list[tuple[tuple[str, str], str]] = [
    (SEARCH, "/api/v1/therapists?page=abc"),
    (SEARCH, "/api/v1/therapists?page=99999999999999999999999"),
    (SEARCH, "/api/v1/therapists?per_page=51"),
    (SEARCH, "/api/v1/therapists?radius=7"),
    (SEARCH, "/api/v1/therapists?mode=teleport"),
    (SEARCH, "/api/v1/therapists?sort=cheapest"),
    (SEARCH, "/api/v1/therapists?gender=robot"),
    (SEARCH, "/api/v1/therapists?max_fee=-1"),
    (SEARCH, "/api/v1/therapists?max_fee="),
    (SEARCH, "/api/v1/therapists?verified=perhaps"),
    (SEARCH, "/api/v1/therapists?" + urlencode({"q": "x" * 201})),
    (SEARCH, "/api/v1/therapists?" + urlencode({"q": "anxiety\x00"})),
    (SEARCH, "/api/v1/therapists?" + urlencode({"issues": ["anxiety"] * 51}, doseq=True)),
    (SEARCH, "/api/v1/therapists?" + urlencode({"issues": "a" * 81})),
    (SEARCH, "/api/v1/therapists?" + urlencode({"location": "\u202eAW ,amocaT"})),
    (SEARCH, "/api/v1/therapists?page=500&per_page=50"),
    (SEARCH, "/api/v1/therapists?page=501"),
    (SEARCH, "/api/v1/therapists?unknown_parameter=1"),
    (PROFILE, "/api/v1/therapists/" + quote("name with spaces")),
    (PROFILE, "/api/v1/therapists/" + quote("nul\x00byte")),
    (PROFILE, "/api/v1/therapists/" + "a" * 300),
    (PROFILE, "/api/v1/therapists/" + quote("zoë-ångström")),
    (TAXONOMY, "/api/v1/taxonomy?kind=issue"),
]


def test_the_table_covers_every_documented_response(document: dict[str, Any]) -> None:
    # 414 and 503 come from the tests below. A response added to the document without a
    # request here that produces it fails this test.
    documented = {
        ((route, method), int(status))
        for route, methods in document["paths"].items()
        for method, operation in methods.items()
        for status in operation["responses"]
    }
    covered = {(operation, status) for operation, status, _target in DOCUMENTED_CASES}
    covered |= {
        (operation, status) for operation in (SEARCH, PROFILE, TAXONOMY) for status in (414, 503)
    }
    assert documented == covered


@pytest.mark.parametrize(
    ("operation", "status", "target"),
    DOCUMENTED_CASES,
    ids=[f"{op[0]}-{status}-{n}" for n, (op, status, _t) in enumerate(DOCUMENTED_CASES)],
)
def test_it_sends_each_documented_response_for_the_request_that_asks_for_it(
    live_server: Any,
    document: dict[str, Any],
    demo: list[TherapistProfile],
    operation: tuple[str, str],
    status: int,
    target: str,
) -> None:
    old = OldSlug.objects.get_or_create(slug="an-earlier-name-0000", profile=demo[0])[0]
    target = target.format(slug=demo[0].slug, old_slug=old.slug)
    got, headers, body = fetch(live_server.url, target)
    assert got == status, body[:500]
    if status == 308:
        assert headers["location"].endswith(f"/api/v1/therapists/{demo[0].slug}")
    check_against_document(
        document, document["paths"][operation[0]][operation[1]], got, headers, body
    )


@pytest.mark.parametrize(
    ("operation", "target"), UNDOCUMENTED_BAIT, ids=[t[:60] for _op, t in UNDOCUMENTED_BAIT]
)
def test_nothing_undocumented_comes_back_for_a_request_a_client_gets_wrong(
    live_server: Any,
    document: dict[str, Any],
    demo: list[TherapistProfile],
    operation: tuple[str, str],
    target: str,
) -> None:
    got, headers, body = fetch(live_server.url, target)
    check_against_document(
        document, document["paths"][operation[0]][operation[1]], got, headers, body
    )


def test_it_sends_the_documented_503_while_the_database_is_away(
    live_server: Any,
    document: dict[str, Any],
    demo: list[TherapistProfile],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    slug = demo[0].slug

    def refuse(self: BaseDatabaseWrapper, *args: Any) -> None:
        raise OperationalError("connection refused")

    # The live server runs in this process: its connections see the same class. Every query
    # fails; Django's own bookkeeping between requests (close_old_connections) still runs, as
    # it does against a server that went away after the connection was opened.
    monkeypatch.setattr(BaseDatabaseWrapper, "_cursor", refuse)
    ix.reset_for_tests()  # the index is read from the database on the next search
    try:
        for operation, target in [
            (SEARCH, "/api/v1/therapists?location=WA"),
            (PROFILE, f"/api/v1/therapists/{slug}"),
            (TAXONOMY, "/api/v1/taxonomy"),
        ]:
            got, headers, body = fetch(live_server.url, target)
            assert got == 503, (target, body[:300])
            check_against_document(
                document, document["paths"][operation[0]][operation[1]], got, headers, body
            )
    finally:
        monkeypatch.undo()
        middleware.outage.since = None
        middleware.outage.requests = 0


# --- 414: the HTTP server's answer, so from `rapport serve` itself ------------------------------


@pytest.fixture(scope="module")
def served(document: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`rapport serve` (gunicorn, the production server) with a database it never reaches: a
    request line over the limit is refused before the application sees it."""
    folder = tmp_path_factory.mktemp("serve")
    with __import__("socket").socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("RAPPORT_", "DATABASE_", "REDIS_"))
    }
    env |= {"RAPPORT_DATA_DIR": str(folder), "DATABASE_URL": f"sqlite:///{folder}/never.sqlite3"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rapport", "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                fetch(base, "/healthz")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(30)


@pytest.mark.parametrize(
    ("operation", "target"),
    [
        (SEARCH, "/api/v1/therapists?" + urlencode({"q": "anxiety " * 600})),
        (PROFILE, "/api/v1/therapists/" + "a" * 5000),
        (TAXONOMY, "/api/v1/taxonomy?" + "x" * 5000),
    ],
    ids=["search", "profile", "taxonomy"],
)
def test_the_http_server_sends_the_documented_414_for_a_request_line_too_long(
    served: str, document: dict[str, Any], operation: tuple[str, str], target: str
) -> None:
    got, headers, body = fetch(served, target)
    assert got == 414, body[:300]
    check_against_document(
        document, document["paths"][operation[0]][operation[1]], got, headers, body
    )
