"""Dependencies shared by the routers: settings, database, service area, JSON bodies."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

import orjson
from fastapi import Depends, Request
from pydantic import BaseModel, ValidationError

from app.config import Settings
from app.db.pool import Database
from app.domain.messages import NUL_MESSAGE, find_nul, plain_errors
from app.errors import BadRequest, PayloadTooLarge, Unprocessable, UnsupportedMediaType
from geo.area import ServiceArea

ModelT = TypeVar("ModelT", bound=BaseModel)

JSON_TYPES = ("application/json", "application/geo+json")


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


async def get_read_db(request: Request) -> Database:
    """The pool for public reads: a hot standby when configured (may lag the primary)."""
    db: Database = request.app.state.read_db
    return db


async def get_area(request: Request) -> ServiceArea:
    area: ServiceArea = request.app.state.area
    return area


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
DbDep = Annotated[Database, Depends(get_db)]
AreaDep = Annotated[ServiceArea, Depends(get_area)]
ReadDbDep = Annotated[Database, Depends(get_read_db)]


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refused with 413 as soon as it passes `limit` bytes."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError as exc:
            raise BadRequest("Content-Length is not a number", field="Content-Length") from exc
        if size > limit:
            raise PayloadTooLarge(f"request body is {size} bytes; the limit is {limit}")
    chunks = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise PayloadTooLarge(f"request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def parse_json(body: bytes) -> Any:
    """The parsed body; 400 when it is not JSON, 422 naming a field that holds a NUL."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        message = str(exc)
        if "infinity" in message or b"NaN" in body or b"Infinity" in body:
            raise BadRequest(
                "request body is not valid JSON: numbers must be finite "
                "(NaN, Infinity and out-of-range numbers like 1e400 are not accepted)"
            ) from exc
        raise BadRequest(f"request body is not valid JSON: {message}") from exc
    # PostgreSQL text cannot hold NUL. JSON can only carry it escaped, so one
    # byte search keeps the common case as fast as before.
    if b"\\u0000" in body:
        where = find_nul(data)
        if where is not None:
            raise Unprocessable(
                f"{where}: {NUL_MESSAGE}", field=where, errors=[(where, NUL_MESSAGE)]
            )
    return data


async def json_body(request: Request, settings: SettingsDep) -> Any:
    """Check media type and size, then parse; used by every JSON-taking route."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in JSON_TYPES:
        raise UnsupportedMediaType(
            "send the body as application/json or application/geo+json, "
            f"not {media_type or 'nothing'}",
            field="Content-Type",
        )
    body = await read_body(request, settings.max_body_bytes)
    request.state.raw_body = body  # for request hashes (Idempotency-Key)
    return parse_json(body)


JsonBody = Annotated[Any, Depends(json_body)]


def validate_body(model: type[ModelT], body: Any) -> ModelT:
    """Validate a parsed JSON body against a pydantic model; 422 naming each problem."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        errors = [(e.field, e.message) for e in plain_errors(exc)]
        problems = "; ".join(f"{field}: {message}" for field, message in errors)
        raise Unprocessable(problems, errors=errors) from exc
