"""The OpenAPI document as standard tools read it, and the responses it promises."""

from __future__ import annotations

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from openapi_spec_validator import validate

from rapport.api.schemas import ErrorOut
from rapport.core import middleware
from rapport.testing import make_profile

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_index")]

DOCUMENT = "/api/v1/openapi.json"


def test_the_document_is_valid_openapi(client: Client) -> None:
    document = client.get(DOCUMENT).json()
    validate(document)  # raises with the first error: a list `examples` on a parameter was one
    location = next(
        p for p in document["paths"]["/api/v1/therapists"]["get"]["parameters"]
        if p["name"] == "location"
    )  # fmt: skip
    assert location["examples"]["Tacoma, WA"] == {"value": "Tacoma, WA"}


@pytest.mark.parametrize("url", ["/api/v1/taxonomy", "/api/v1/therapists", DOCUMENT, "/api/v1/"])
def test_head_answers_like_get_without_a_body(client: Client, url: str) -> None:
    make_profile(name="Tacoma One")
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head["Content-Type"] == get["Content-Type"]
    assert int(head["Content-Length"]) == len(get.content)


def test_a_wrong_method_names_head_among_the_allowed(client: Client) -> None:
    response = client.post("/api/v1/taxonomy")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_every_operation_documents_the_503_the_server_sends(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = client.get(DOCUMENT).json()
    for route, methods in document["paths"].items():
        for operation in methods.values():
            documented = operation["responses"]["503"]
            assert documented["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"
            }, route
            assert "Retry-After" in documented["headers"]
            assert "414" in operation["responses"]

    def refuse(self: BaseDatabaseWrapper) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", refuse)
    for url in ["/api/v1/taxonomy", "/api/v1/therapists", "/api/v1/therapists/someone-1a2b"]:
        response = client.get(url)
        assert response.status_code == 503, url
        assert response["Content-Type"].startswith("application/json")
        ErrorOut.model_validate_json(response.content, strict=True)
        assert response["Retry-After"] == str(middleware.RETRY_AFTER_SECONDS)
    middleware.outage.since = None
    middleware.outage.requests = 0
