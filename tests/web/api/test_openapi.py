"""The OpenAPI document is complete and valid, and /docs loads nothing from other hosts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openapi_spec_validator import validate

JSON_TYPES = ("application/json", "application/geo+json")
# Routes that read their JSON body themselves (JsonBody + validate_body).
BODIES = {
    ("post", "/api/v1/reports"),
    ("post", "/api/v1/patrol-plans"),
    ("post", "/api/v1/patrol-plans/{plan_id}/runs"),
    ("post", "/api/v1/sites"),
    ("patch", "/api/v1/sites/{site_id}"),
    ("post", "/api/v1/promises"),
    ("patch", "/api/v1/promises/{promise_id}"),
    ("post", "/api/v1/users"),
    ("patch", "/api/v1/users/{user_id}"),
    ("post", "/api/v1/tokens"),
    ("post", "/api/v1/moderation/reports/{report_id}/redact"),
    ("post", "/api/v1/open311/keys"),
    ("put", "/api/v1/place-names/{hotspot_id}"),
    ("post", "/api/v1/presence-groups"),
    ("patch", "/api/v1/presence-groups/{group_id}"),
    ("post", "/api/v1/presence-plans"),
    ("post", "/api/v1/presence-plans/{plan_id}/visits"),
    ("post", "/api/v1/walks"),
    ("post", "/api/v1/walks/{walk_id}/stops"),
    ("post", "/api/v1/walks/{walk_id}/actions"),
}
OPEN311 = "/open311/"


@pytest.fixture(scope="module")
def doc(app_client: TestClient) -> dict[str, Any]:
    answer = app_client.get("/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield method, path, operation


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def _resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), f"{ref} points outside the document"
    node: Any = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict) and part in node, f"{ref} leads nowhere"
        node = node[part]
    return node


def test_the_document_validates(doc: dict[str, Any]) -> None:
    validate(doc)


def test_every_ref_resolves(doc: dict[str, Any]) -> None:
    refs = set(_refs(doc))
    assert "#/components/schemas/ReportProperties" in refs
    for ref in refs:
        _resolve(doc, ref)


def test_every_json_body_is_documented(doc: dict[str, Any]) -> None:
    for method, path, operation in _operations(doc):
        body = operation.get("requestBody")
        if (method, path) in BODIES:
            assert body, f"{method.upper()} {path} has no documented body"
            schema = body["content"]["application/json"]["schema"]
            assert "$ref" in schema, f"{method.upper()} {path}"
            assert _resolve(doc, schema["$ref"]).get("properties")
        else:
            assert body is None or "application/json" not in body["content"], (
                f"{method.upper()} {path} documents a JSON body it does not read"
            )
    form = doc["paths"]["/open311/v2/requests.{fmt}"]["post"]["requestBody"]
    assert "application/x-www-form-urlencoded" in form["content"]


def test_every_answer_has_a_schema_and_no_json_is_typed_string(doc: dict[str, Any]) -> None:
    for method, path, operation in _operations(doc):
        successes = [code for code in operation["responses"] if code.startswith("2")]
        assert successes, f"{method.upper()} {path} documents no success"
        for code, response in operation["responses"].items():
            if code.startswith("2") and code != "204":
                assert response.get("content"), f"{method.upper()} {path} {code} has no body"
            for media, content in (response.get("content") or {}).items():
                schema = content.get("schema")
                assert schema, f"{method.upper()} {path} {code} {media} has no schema"
                if media in JSON_TYPES:
                    assert schema.get("type") != "string", f"{method.upper()} {path} {code}"
                    assert schema != {}, f"{method.upper()} {path} {code} {media} is untyped"


def test_errors_are_documented_with_the_real_shape(doc: dict[str, Any]) -> None:
    error_ref = "#/components/schemas/ErrorBody"
    shape = _resolve(doc, error_ref)
    assert set(shape["required"]) == {"detail", "errors"}
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for method, path, operation in _operations(doc):
        responses = operation["responses"]
        assert "422" in responses, f"{method.upper()} {path}"
        for code, response in responses.items():
            if code.startswith("4"):
                schema = response["content"]["application/json"]["schema"]
                if path.startswith(OPEN311):  # GeoReport v2 has its own error list
                    assert schema["items"]["required"] == ["code", "description"]
                else:
                    assert schema == {"$ref": error_ref}, f"{method.upper()} {path} {code}"
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= set(responses), f"{method.upper()} {path}"


def test_staff_operations_take_a_bearer_token(doc: dict[str, Any]) -> None:
    scheme = doc["components"]["securitySchemes"]["bearerAuth"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    secured = {(method, path) for method, path, op in _operations(doc) if op.get("security")}
    assert ("get", "/api/v1/users") in secured
    assert ("post", "/api/v1/patrol-plans") in secured
    assert ("post", "/api/v1/reports") not in secured
    assert ("get", "/api/v1/hotspots") not in secured
    for method, path, operation in _operations(doc):
        if (method, path) in secured:
            assert {"401", "403"} <= set(operation["responses"]), f"{method.upper()} {path}"


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_load_scripts_and_styles_only_from_this_service(
    app_client: TestClient, page: str
) -> None:
    answer = app_client.get(page)
    assert answer.status_code == 200
    html = answer.text
    assert "cdn.jsdelivr.net" not in html and "fonts.googleapis" not in html
    assets = re.findall(r'<(?:script|link)[^>]*?(?:src|href)=["\']([^"\']+)["\']', html)
    assert assets, html
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), f"{page} loads {url}"
        assert app_client.get(url).status_code == 200, url
    policy = answer.headers["content-security-policy"]
    assert "jsdelivr" not in policy and "tiangolo" not in policy, policy
