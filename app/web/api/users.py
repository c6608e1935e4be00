"""/api/v1/users: admins create staff users and change their roles."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from app.db.pool import Row
from app.security.access import Principal, require
from app.services.staff import users
from app.web.api import shapes
from app.web.deps import DbDep, JsonBody, validate_body
from app.web.openapi import json_body_doc, model_doc
from app.web.params import path_uuid

router = APIRouter(prefix="/api/v1/users", tags=["staff users"])


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: StrictStr = Field(..., min_length=3, max_length=254)
    roles: list[StrictStr] = Field(..., min_length=1)
    password: StrictStr


class UserChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    roles: list[StrictStr] | None = None
    active: StrictBool | None = None
    password: StrictStr | None = None


def public_user(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "email": row["email"],
        "roles": list(row["roles"]),
        "active": row["active"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


@router.get(
    "",
    response_model=None,
    summary="List staff users (admin)",
    responses={200: model_doc(shapes.StaffUserList, "Every staff user")},
)
async def list_users(
    db: DbDep, principal: Annotated[Principal, require("users:manage")]
) -> dict[str, Any]:
    return {"users": [public_user(r) for r in await users.list_users(db)]}


@router.post(
    "",
    response_model=None,
    status_code=201,
    summary="Create a staff user (admin)",
    openapi_extra=json_body_doc(NewUser),
    responses={
        201: model_doc(shapes.StaffUser, "The new user"),
        409: {"description": "A user with that e-mail exists"},
    },
)
async def post_user(
    body: JsonBody, db: DbDep, principal: Annotated[Principal, require("users:manage")]
) -> dict[str, Any]:
    new = validate_body(NewUser, body)
    row = await users.create_user(db, principal, new.email, new.roles, new.password)
    return public_user(row)


@router.get(
    "/{user_id}",
    response_model=None,
    summary="One staff user (admin)",
    responses={200: model_doc(shapes.StaffUser, "The user")},
)
async def get_user(
    user_id: str, db: DbDep, principal: Annotated[Principal, require("users:manage")]
) -> dict[str, Any]:
    row = await users.get_user(db, path_uuid(user_id, users.NOT_FOUND))
    return public_user(row)


@router.patch(
    "/{user_id}",
    response_model=None,
    summary="Change roles, deactivate or set a password (admin)",
    openapi_extra=json_body_doc(UserChange),
    responses={
        200: model_doc(shapes.StaffUser, "The changed user"),
        409: {"description": "The change would leave no active admin"},
    },
)
async def patch_user(
    user_id: str,
    body: JsonBody,
    db: DbDep,
    principal: Annotated[Principal, require("users:manage")],
) -> dict[str, Any]:
    change = validate_body(UserChange, body)
    row = await users.change_user(
        db,
        principal,
        path_uuid(user_id, users.NOT_FOUND),
        roles=change.roles,
        active=change.active,
        password=change.password,
    )
    return public_user(row)
