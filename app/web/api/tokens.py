"""/api/v1/tokens: API tokens for scripts and GIS clients, shown once, stored hashed."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from app.db.pool import Row
from app.security.access import Principal, require
from app.services.staff import tokens
from app.web.api import shapes
from app.web.deps import DbDep, JsonBody, SettingsDep, validate_body
from app.web.openapi import json_body_doc, model_doc
from app.web.params import path_uuid

router = APIRouter(prefix="/api/v1/tokens", tags=["API tokens"])


class NewToken(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: StrictStr = Field("", max_length=100)
    user_id: uuid.UUID | None = Field(None, description="Admins may create tokens for others.")


def public_token(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "user": row.get("email"),
        "name": row["name"],
        "created_at": row["created_at"].isoformat(),
        "last_used_at": row["last_used_at"].isoformat() if row.get("last_used_at") else None,
        "revoked_at": row["revoked_at"].isoformat() if row.get("revoked_at") else None,
    }


@router.get(
    "",
    response_model=None,
    summary="Your API tokens (admins: `?all=true` for everyone's)",
    responses={200: model_doc(shapes.ApiTokenList, "The tokens (never the secrets)")},
)
async def list_tokens(
    db: DbDep,
    principal: Annotated[Principal, require("tokens:own")],
    all: Annotated[bool, Query(description="Every user's tokens (admin)")] = False,  # noqa: A002
) -> dict[str, Any]:
    rows = await tokens.list_tokens(db, principal, everyone=all)
    return {"tokens": [public_token(r) for r in rows]}


@router.post(
    "",
    response_model=None,
    status_code=201,
    summary="Create an API token; the token is shown only now",
    responses={
        201: model_doc(shapes.NewApiToken, "The token; store it now"),
        404: {"description": "No user with that id"},
    },
    openapi_extra=json_body_doc(NewToken),
)
async def post_token(
    body: JsonBody,
    db: DbDep,
    settings: SettingsDep,
    principal: Annotated[Principal, require("tokens:own")],
) -> dict[str, Any]:
    new = validate_body(NewToken, body)
    token, row = await tokens.issue_for(db, settings.key, principal, new.name, new.user_id)
    return {**public_token(row), "token": token}


@router.delete("/{token_id}", status_code=204, summary="Revoke a token (yours, or any as admin)")
async def revoke_token(
    token_id: str, db: DbDep, principal: Annotated[Principal, require("tokens:own")]
) -> Response:
    await tokens.revoke_token(db, principal, path_uuid(token_id, tokens.NOT_FOUND))
    return Response(status_code=204)
