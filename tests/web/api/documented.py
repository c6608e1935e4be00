"""Check a real answer against the schema /openapi.json documents for it."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from jsonschema import Draft202012Validator

_DOCS: dict[int, dict[str, Any]] = {}


def _document(client: TestClient) -> dict[str, Any]:
    key = id(client.app)
    if key not in _DOCS:
        _DOCS[key] = client.get("/openapi.json").json()
    return _DOCS[key]


def as_documented(client: TestClient, answer: httpx.Response, method: str, path: str) -> Any:
    """The answer's JSON, after checking it against the documented schema of its status."""
    doc = _document(client)
    response = doc["paths"][path][method.lower()]["responses"][str(answer.status_code)]
    media = answer.headers["content-type"].split(";")[0]
    schema = response["content"][media]["schema"]
    body = answer.json()
    validator = Draft202012Validator({**schema, "components": doc["components"]})
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not problems, f"{method} {path} {answer.status_code}: {problems}"
    return body
