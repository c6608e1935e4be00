"""/api/v1/users: admins create staff users and change their roles."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError

from app.db.pool import Database, Row
from app.errors import Conflict, NotFound, Unprocessable
from app.repo import users as store
from app.security import audit
from app.security.access import Principal, require
from app.security.matrix import ROLES
from app.security.passwords import WeakPassword, hash_password
from app.web import params
from app.web.deps import DbDep, JsonBody

router = APIRouter(prefix="/api/v1/users", tags=["staff users"])
NOT_FOUND = "No user with that id."


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


def _parse(model: type[BaseModel], body: Any) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
            for e in exc.errors(include_url=False, include_input=False)
        )
        raise Unprocessable(problems) from exc


def check_roles(roles: list[str]) -> list[str]:
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise Unprocessable(f"unknown role {', '.join(unknown)}; roles: {', '.join(ROLES)}")
    return sorted(set(roles))


def check_email(email: str) -> str:
    email = store.normalise_email(email)
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email:
        raise Unprocessable("email: not an e-mail address")
    return email


def public_user(row: Row) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "email": row["email"],
        "roles": list(row["roles"]),
        "active": row["active"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


def _hash(password: str) -> str:
    try:
        return hash_password(password)
    except WeakPassword as exc:
        raise Unprocessable(f"password: {exc}") from exc


async def create_user(
    db: Database, principal: Principal, email: str, roles: list[str], password: str
) -> Row:
    """Shared by the API and the staff page; audited."""
    email = check_email(email)
    roles = check_roles(roles)
    if await store.email_taken(db, email):
        raise Conflict("a user with that e-mail already exists")
    user_id = await store.create_user(db, email, _hash(password), roles)
    await audit.record(
        db, principal, "users:create", target=email, details={"roles": roles}, rows=1
    )
    row = await store.get_user(db, user_id)
    assert row is not None
    return row


async def change_user(
    db: Database, principal: Principal, user_id: uuid.UUID, change: UserChange
) -> Row:
    before = await store.get_user(db, user_id)
    if before is None:
        raise NotFound(NOT_FOUND)
    values: dict[str, Any] = {}
    details: dict[str, Any] = {}
    if change.roles is not None:
        values["roles"] = check_roles(change.roles)
        details["roles_before"] = list(before["roles"])
        details["roles"] = values["roles"]
    if change.active is not None:
        values["active"] = change.active
        details["active"] = change.active
    if change.password is not None:
        values["password_hash"] = _hash(change.password)
        details["password_changed"] = True
    if not values:
        raise Unprocessable("nothing to change: send roles, active or password")
    roles_after: list[str] = values.get("roles", list(before["roles"]))
    loses_admin = "admin" in before["roles"] and (
        "admin" not in roles_after or values.get("active") is False
    )
    if loses_admin and not await store.other_active_admins(db, user_id):
        # Nobody could manage users any more; the CLI would be the only way back.
        raise Conflict("this is the last active admin; make someone else admin first")
    row = await store.update_user(db, user_id, values)
    if row is None:
        raise NotFound(NOT_FOUND)
    await audit.record(db, principal, "users:update", target=row["email"], details=details, rows=1)
    return row


def _user_id(raw: str) -> uuid.UUID:
    return params.path_uuid(raw, NOT_FOUND)


@router.get("", summary="List staff users (admin)")
async def list_users(
    db: DbDep, principal: Annotated[Principal, require("users:manage")]
) -> dict[str, Any]:
    rows = await store.list_users(db)
    return {"users": [public_user(r) for r in rows]}


@router.post("", status_code=201, summary="Create a staff user (admin)")
async def post_user(
    body: JsonBody, db: DbDep, principal: Annotated[Principal, require("users:manage")]
) -> dict[str, Any]:
    new = _parse(NewUser, body)
    row = await create_user(db, principal, new.email, new.roles, new.password)
    return public_user(row)


@router.get("/{user_id}", summary="One staff user (admin)")
async def get_user(
    user_id: str, db: DbDep, principal: Annotated[Principal, require("users:manage")]
) -> dict[str, Any]:
    row = await store.get_user(db, _user_id(user_id))
    if row is None:
        raise NotFound(NOT_FOUND)
    return public_user(row)


@router.patch("/{user_id}", summary="Change roles, deactivate or set a password (admin)")
async def patch_user(
    user_id: str,
    body: JsonBody,
    db: DbDep,
    principal: Annotated[Principal, require("users:manage")],
) -> dict[str, Any]:
    change = _parse(UserChange, body)
    row = await change_user(db, principal, _user_id(user_id), change)
    return public_user(row)
