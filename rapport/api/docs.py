"""The API's documentation page, rendered on the server from its OpenAPI document.

Ninja's default page is Swagger UI: a 1.5 MB script (from a CDN unless ninja
is an installed app) with an inline start-up script and a call home to the
swagger.io validator. The site's rule is that nothing loads from elsewhere and
no inline script runs (CSP `default-src 'self'`), and every endpoint here is a
GET a browser can open directly, so a plain page listing each operation, its
parameters and responses, with links to try it, serves readers better.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.template import engines
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

TEMPLATE = Path(__file__).parent / "templates" / "api" / "docs.html"


@cache
def _template():  # type: ignore[no-untyped-def]
    # rapport.api is no installed app (it has no models), so its template is
    # compiled from the file, by the site's engine: it can extend base.html.
    return engines["django"].from_string(TEMPLATE.read_text(encoding="utf-8"))


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return schema.get("components", {}).get("schemas", {}).get(ref.rsplit("/", 1)[1], {})
    return node


def _type_label(schema: dict[str, Any], node: dict[str, Any]) -> str:
    node = _resolve(schema, node)
    if "anyOf" in node:
        return " or ".join(_type_label(schema, part) for part in node["anyOf"])
    if node.get("type") == "array":
        return f"list of {_type_label(schema, node.get('items', {}))}"
    if "enum" in node:
        return " | ".join(str(value) for value in node["enum"])
    if "const" in node:
        return str(node["const"])
    label = node.get("type") or node.get("title") or "object"
    bounds = [
        f"{word} {node[key]}"
        for key, word in (("minimum", "min"), ("maximum", "max"), ("maxLength", "max length"))
        if key in node
    ]
    return f"{label} ({', '.join(bounds)})" if bounds else label


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation of the document, flattened for the template."""
    result = []
    for route, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            parameters = []
            for parameter in operation.get("parameters", []):
                node = parameter.get("schema", {})
                parameters.append(
                    {
                        "name": parameter["name"],
                        "where": parameter.get("in", ""),
                        "required": parameter.get("required", False),
                        "type": _type_label(schema, node),
                        "default": node.get("default"),
                        "description": parameter.get("description") or node.get("description", ""),
                        "repeated": node.get("type") == "array",
                    }
                )
            responses = [
                {
                    "status": status,
                    "description": response.get("description", ""),
                    "schema": next(
                        (
                            _type_label(schema, content["schema"])
                            for content in response.get("content", {}).values()
                            if "schema" in content
                        ),
                        "",
                    ),
                }
                for status, response in operation.get("responses", {}).items()
            ]
            result.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "anchor": operation.get("operationId", f"{method}-{route}"),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": parameters,
                    "responses": responses,
                    "try_it": route if "{" not in route else "",
                }
            )
    return result


class SelfHostedDocs(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        context = {
            "api": schema.get("info", {}),
            "operations": operations(schema),
            "openapi_url": self.get_openapi_url(api, kwargs),
        }
        return HttpResponse(_template().render(context, request))
