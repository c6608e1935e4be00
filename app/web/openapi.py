"""The OpenAPI document: every body, the one error shape, and the Bearer scheme.

Routes that read their body through `JsonBody` (to keep the 413/415 checks
and orjson) declare it with `openapi_extra=json_body_doc(Model)`. The models'
schemas, and every `$defs` inside them, land in `components/schemas`, so each
`$ref` resolves. Every operation lists the 4xx answers it can give, all in the
`ErrorBody` shape (Open311 keeps its spec's error list), and staff-only
operations carry the Bearer requirement. Answers are described by the models
in `app.web.api.shapes` through `model_doc` / `media_doc`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, Field
from pydantic.json_schema import models_json_schema

from app.security.access import RoleCheck

REF = "#/components/schemas/{model}"
BEARER = "bearerAuth"


class ErrorItem(BaseModel):
    field: str = Field(description="The input at fault: a body path, a parameter or a header.")
    message: str = Field(description="What is wrong and how to fix it.")


class ErrorBody(BaseModel):
    """Every error answer of the service."""

    detail: str = Field(description="The problem in one sentence.")
    errors: list[ErrorItem] = Field(description="Each input at fault, with how to fix it.")


# Models named in `json_body_doc` and `model_doc`; their schemas go into components.
_MODELS: dict[str, type[BaseModel]] = {"ErrorBody": ErrorBody}

ERRORS = {
    "400": "The body is not valid JSON (or a header is malformed).",
    "401": "Not logged in, or the token is invalid, revoked or expired.",
    "403": "Your roles do not allow this.",
    "404": "No such thing (or you may not know it exists).",
    "409": "The request clashes with the current state.",
    "413": "The body is over the size limit.",
    "415": "The body is not JSON: send Content-Type application/json.",
    "422": "A value is not acceptable; `errors` names each field and how to fix it.",
    "429": "Too many requests; retry after `Retry-After` seconds.",
    "503": "The database is unavailable; retry after `Retry-After` seconds.",
}


def ref(model: type[BaseModel]) -> dict[str, str]:
    """A `$ref` to a model's schema in components (the model is added to them)."""
    _MODELS[model.__name__] = model
    return {"$ref": REF.format(model=model.__name__)}


def json_body_doc(
    model: type[BaseModel], media_types: Iterable[str] = ("application/json",)
) -> dict[str, Any]:
    """`openapi_extra` for a route that reads `model` from a JSON body itself."""
    schema = ref(model)
    return {
        "requestBody": {
            "required": True,
            "content": {media: {"schema": schema} for media in media_types},
        }
    }


def model_doc(
    model: type[BaseModel], description: str, media_type: str = "application/json"
) -> dict[str, Any]:
    """An entry of a route's `responses`: `model` as the body, without validating at run time."""
    return {"description": description, "content": {media_type: {"schema": ref(model)}}}


def media_doc(description: str, content: dict[str, Any]) -> dict[str, Any]:
    """An entry of `responses` with several media types: a model or a plain schema each."""
    return {
        "description": description,
        "content": {
            media: {"schema": ref(schema) if isinstance(schema, type) else schema}
            for media, schema in content.items()
        },
    }


# A shift window as the body models take it (a dict, parsed by geo.patrol for
# plain messages), spelled out so /docs shows its fields.
HH_MM = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "examples": ["20:00"]}
WINDOW_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["start", "end"],
    "properties": {
        "days": {
            "type": "array",
            "minItems": 1,
            "uniqueItems": True,
            "items": {"enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
            "description": "Default: every day.",
        },
        "start": HH_MM,
        "end": {**HH_MM, "description": "May pass midnight.", "examples": ["02:00"]},
    },
}
SHIFT_SCHEMA: dict[str, Any] = {
    **WINDOW_SCHEMA,
    "properties": {
        **WINDOW_SCHEMA["properties"],
        "people": {"type": "integer", "minimum": 1, "maximum": 50, "default": 2},
    },
}


def geometry_schema(kind: str, *, nullable: bool = False) -> dict[str, Any]:
    """`json_schema_extra` for a dict field that takes one GeoJSON geometry type ([lon, lat])."""
    schema = {
        "type": "object",
        "required": ["type", "coordinates"],
        "properties": {
            "type": {"const": kind},
            "coordinates": {"type": "array", "description": "[lon, lat] positions (WGS 84)"},
        },
    }
    return {"anyOf": [schema, {"type": "null"}]} if nullable else schema


BINARY = {"type": "string", "format": "binary"}
TEXT = {"type": "string"}
# Open311 GeoReport v2 answers errors in the spec's own shape, in JSON or XML.
OPEN311 = "/open311/"
OPEN311_ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
    },
}


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    for child in dependant.dependencies:
        yield child
        yield from _dependants(child)


def _staff_only(dependant: Dependant) -> bool:
    return any(isinstance(d.call, RoleCheck) for d in _dependants(dependant))


def _error(code: str, path: str) -> dict[str, Any]:
    if path.startswith(OPEN311):
        return media_doc(
            ERRORS.get(code, "Error") + " (Open311 error list)",
            {"application/json": OPEN311_ERRORS, "text/xml": TEXT},
        )
    return {
        "description": ERRORS.get(code, "Error"),
        "content": {"application/json": {"schema": ref(ErrorBody)}},
    }


def _tidy_success(responses: dict[str, Any]) -> None:
    """Drop FastAPI's schemaless default media type where a route documents its own."""
    for code, response in responses.items():
        content = response.get("content") or {}
        if code.startswith("2") and any(c.get("schema") for c in content.values()):
            for media in [m for m, c in content.items() if c.get("schema") in ({}, None)]:
                if media == "application/json":
                    del content[media]


def _document_errors(operation: dict[str, Any], path: str, dependant: Dependant) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    _tidy_success(responses)
    codes = {"422", "503"}
    if "requestBody" in operation:
        codes |= {"400", "413", "415"}
    if "{" in path:
        codes.add("404")
    if path.startswith(OPEN311):
        codes.add("400")  # the spec answers unreadable input with 400
        if "requestBody" in operation:
            codes |= {"403", "429"}  # an api_key that is wrong, or over its hourly limit
    if _staff_only(dependant):
        codes |= {"401", "403"}
        operation["security"] = [{BEARER: []}]
    codes |= {code for code in responses if code.startswith(("4", "5"))}
    for code in sorted(codes):
        given = responses.get(code, {})
        entry = _error(code, path)
        if given.get("description") and code != "422":
            entry["description"] = given["description"]
        responses[code] = entry


def build_openapi(app: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=app.title,
        version=app.version,
        summary=app.summary,
        description=app.description,
        routes=app.routes,
    )
    # Included routers are kept lazily since FastAPI 0.130; walk their contexts.
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = context.path_format
        if not isinstance(route, APIRoute) or not route.include_in_schema or path is None:
            continue
        for method in context.methods or ():
            operation = doc["paths"].get(path, {}).get(method.lower())
            if operation is not None:
                _document_errors(operation, path, route.dependant)
    components = doc.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    models = sorted(_MODELS.values(), key=lambda m: m.__name__)
    _, defs = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    for name, schema in defs.get("$defs", {}).items():
        schemas.setdefault(name, schema)
    # FastAPI's own 422 shape is never sent: drop it.
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = {
        BEARER: {
            "type": "http",
            "scheme": "bearer",
            "description": "A token from POST /api/v1/tokens or `trygghetskartan create-token`.",
        }
    }
    return doc


def install_openapi(app: FastAPI) -> None:
    """Serve the document built above (once) at /openapi.json."""
    cached: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not cached:
            cached.update(build_openapi(app))
        return cached

    app.openapi = openapi  # type: ignore[method-assign]
