"""Create staff users and change their roles, status or password; every change audited."""

from __future__ import annotations

import uuid
from typing import Any

from app.db.pool import Database, Row
from app.errors import Conflict, NotFound, Unprocessable
from app.repo import users as store
from app.security import audit
from app.security.access import Principal
from app.security.matrix import ROLES
from app.security.passwords import WeakPassword, hash_password_async

NOT_FOUND = "No user with that id."


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


async def _hash(password: str) -> str:
    try:
        return await hash_password_async(password)
    except WeakPassword as exc:
        raise Unprocessable(f"password: {exc}") from exc


async def list_users(db: Database) -> list[Row]:
    return await store.list_users(db)


async def get_user(db: Database, user_id: uuid.UUID) -> Row:
    row = await store.get_user(db, user_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


async def create_user(
    db: Database, principal: Principal, email: str, roles: list[str], password: str
) -> Row:
    email = check_email(email)
    roles = check_roles(roles)
    if await store.email_taken(db, email):
        raise Conflict("a user with that e-mail already exists")
    user_id = await store.create_user(db, email, await _hash(password), roles)
    await audit.record(
        db, principal, "users:create", target=email, details={"roles": roles}, rows=1
    )
    row = await store.get_user(db, user_id)
    assert row is not None
    return row


async def change_user(
    db: Database,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    roles: list[str] | None = None,
    active: bool | None = None,
    password: str | None = None,
) -> Row:
    """Change what is given (roles, active, password); never remove the last active admin.

    Nobody deactivates their own account: another admin must do it.
    """
    if active is False and principal.user_id == user_id:
        raise Conflict("you cannot deactivate your own account; ask another admin", field="active")
    before = await get_user(db, user_id)
    values: dict[str, Any] = {}
    details: dict[str, Any] = {}
    if roles is not None:
        values["roles"] = check_roles(roles)
        details["roles_before"] = list(before["roles"])
        details["roles"] = values["roles"]
    if active is not None:
        values["active"] = active
        details["active"] = active
    if password is not None:
        values["password_hash"] = await _hash(password)
        details["password_changed"] = True
    if not values:
        raise Unprocessable("nothing to change: send roles, active or password")
    roles_after: list[str] = values.get("roles", list(before["roles"]))
    loses_admin = "admin" in before["roles"] and (
        "admin" not in roles_after or values.get("active") is False
    )
    if loses_admin and not await store.other_active_admins(db, user_id):
        # Nobody could manage users any more; the CLI would be the only way back.
        raise Conflict(
            "this is the last active admin; make someone else admin first",
            field="roles" if "admin" not in roles_after else "active",
        )
    row = await store.update_user(db, user_id, values)
    if row is None:
        raise NotFound(NOT_FOUND)
    await audit.record(db, principal, "users:update", target=row["email"], details=details, rows=1)
    return row
