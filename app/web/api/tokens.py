"""/api/v1/tokens: API tokens for scripts and GIS clients, shown once, stored hashed."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from app.db.pool import Database, Row
from app.errors import NotFound
from app.repo import users as store
from app.security import audit
from app.security.access import Principal, require
from app.security.tokens import api_token_hash, new_api_token
from app.web import params
from app.web.api.users import _parse
from app.web.deps import DbDep, JsonBody, SettingsDep

router = APIRouter(prefix="/api/v1/tokens", tags=["API tokens"])
NOT_FOUND = "No token with that id."


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


async def issue_token(
    db: Database, key: bytes, principal: Principal, user_id: uuid.UUID, email: str, name: str
) -> tuple[str, Row]:
    """A new token for `user_id`; the plain token is returned only here."""
    token = new_api_token()
    row = await store.create_token(db, user_id, api_token_hash(key, token), name)
    await audit.record(db, principal, "tokens:create", target=email, details={"name": name})
    return token, row


@router.get("", summary="Your API tokens (admins: `?all=true` for everyone's)")
async def list_tokens(
    db: DbDep,
    principal: Annotated[Principal, require("tokens:own")],
    all: Annotated[bool, Query(description="Every user's tokens (admin)")] = False,  # noqa: A002
) -> dict[str, Any]:
    everyone = all and principal.may("users:manage")
    rows = await store.list_tokens(db, None if everyone else principal.user_id)
    return {"tokens": [public_token(r) for r in rows]}


@router.post("", status_code=201, summary="Create an API token; the token is shown only now")
async def post_token(
    request: Request,
    body: JsonBody,
    db: DbDep,
    settings: SettingsDep,
    principal: Annotated[Principal, require("tokens:own")],
) -> dict[str, Any]:
    new = _parse(NewToken, body)
    user_id = principal.user_id
    email = principal.email or ""
    if new.user_id is not None and new.user_id != principal.user_id:
        if not principal.may("users:manage"):
            raise NotFound("No user with that id.")
        user = await store.get_user(db, new.user_id)
        if user is None or not user["active"]:
            raise NotFound("No user with that id.")
        user_id, email = user["id"], user["email"]
    assert user_id is not None
    token, row = await issue_token(db, settings.key, principal, user_id, email, new.name)
    return {**public_token({**row, "email": email}), "token": token}


@router.delete("/{token_id}", status_code=204, summary="Revoke a token (yours, or any as admin)")
async def revoke_token(
    token_id: str, db: DbDep, principal: Annotated[Principal, require("tokens:own")]
) -> Response:
    parsed = params.path_uuid(token_id, NOT_FOUND)
    row = await store.get_token(db, parsed)
    # Someone else's token looks exactly like a missing one.
    if row is None or (row["user_id"] != principal.user_id and not principal.may("users:manage")):
        raise NotFound(NOT_FOUND)
    await store.revoke_token(db, parsed)
    await audit.record(
        db, principal, "tokens:revoke", target=row["email"], details={"id": token_id}
    )
    return Response(status_code=204)
