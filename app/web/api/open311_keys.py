"""/api/v1/open311/keys: admins issue, list and revoke Open311 client keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from app.db.pool import Row
from app.errors import NotFound
from app.security.access import Principal, require
from app.services import open311 as service
from app.web import params
from app.web.deps import DbDep, JsonBody, SettingsDep, validate_body

router = APIRouter(prefix="/api/v1/open311/keys", tags=["Open311 keys"])
NOT_FOUND = "No active Open311 key with that id."


class NewKey(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: StrictStr = Field(..., min_length=1, max_length=100, description="The client system")
    per_hour: StrictInt = Field(600, ge=1, le=100_000, description="Requests an hour")


def _public(row: Row) -> dict[str, Any]:
    def when(name: str) -> str | None:
        value = row.get(name)
        return value.isoformat() if value else None

    return {
        "id": str(row["id"]),
        "name": row["name"],
        "per_hour": row["per_hour"],
        "created_at": when("created_at"),
        "last_used_at": when("last_used_at"),
        "revoked_at": when("revoked_at"),
    }


@router.get("", summary="Every Open311 client key (never the keys themselves)")
async def list_keys(db: DbDep, _: Annotated[Principal, require("open311:keys")]) -> dict[str, Any]:
    return {"keys": [_public(r) for r in await service.list_keys(db)]}


@router.post("", status_code=201, summary="Issue a key to a client system (shown once)")
async def issue_key(
    db: DbDep,
    settings: SettingsDep,
    body: JsonBody,
    principal: Annotated[Principal, require("open311:keys")],
) -> dict[str, Any]:
    wanted = validate_body(NewKey, body)
    issued = await service.issue_key(db, settings, principal, wanted.name, wanted.per_hour)
    return {
        "id": str(issued.id),
        "name": issued.name,
        "per_hour": issued.per_hour,
        "key": issued.key,
    }


@router.delete("/{key_id}", status_code=204, summary="Revoke a key at once")
async def revoke_key(
    key_id: str, db: DbDep, principal: Annotated[Principal, require("open311:keys")]
) -> Response:
    wanted = params.path_uuid(key_id, NOT_FOUND)
    if not await service.revoke_key(db, principal, wanted):
        raise NotFound(NOT_FOUND)
    return Response(status_code=204)
