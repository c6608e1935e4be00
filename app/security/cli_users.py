"""What `python -m app create-user` and `create-token` do, audited like the API."""

from __future__ import annotations

from typing import Any

from app.config import Settings
from app.db.pool import Database
from app.repo import users as store
from app.security.access import Principal
from app.web.api.tokens import issue_token
from app.web.api.users import create_user


async def create_user_cli(
    db: Database, principal: Principal, email: str, roles: list[str], password: str
) -> dict[str, Any]:
    row = await create_user(db, principal, email, roles, password)
    return {"email": row["email"], "roles": list(row["roles"])}


async def create_token_cli(
    db: Database, settings: Settings, principal: Principal, email: str, name: str
) -> str | None:
    user = await store.get_user_by_email(db, email)
    if user is None or not user["active"]:
        return None
    token, _ = await issue_token(db, settings.key, principal, user["id"], user["email"], name)
    return token
