"""API tokens for scripts and GIS clients: issued once in plain text, stored hashed."""

from __future__ import annotations

import uuid

from app.db.pool import Database, Row
from app.errors import NotFound
from app.repo import users as store
from app.security import audit
from app.security.access import Principal
from app.security.tokens import api_token_hash, new_api_token

NOT_FOUND = "No token with that id."
NO_USER = "No user with that id."


async def list_tokens(db: Database, principal: Principal, *, everyone: bool = False) -> list[Row]:
    """The caller's tokens; everyone's when asked by someone who manages users."""
    everyone = everyone and principal.may("users:manage")
    return await store.list_tokens(db, None if everyone else principal.user_id)


async def issue_token(
    db: Database, key: bytes, principal: Principal, user_id: uuid.UUID, email: str, name: str
) -> tuple[str, Row]:
    """A new token for `user_id`; the plain token is returned only here."""
    token = new_api_token()
    row = await store.create_token(db, user_id, api_token_hash(key, token), name)
    await audit.record(db, principal, "tokens:create", target=email, details={"name": name})
    return token, row


async def issue_for(
    db: Database, key: bytes, principal: Principal, name: str, user_id: uuid.UUID | None = None
) -> tuple[str, Row]:
    """A token for the caller, or for another active user when the caller manages users.

    The row carries the owner's `email`.
    """
    owner_id, email = principal.user_id, principal.email or ""
    if user_id is not None and user_id != principal.user_id:
        # Someone else's account looks exactly like a missing one.
        if not principal.may("users:manage"):
            raise NotFound(NO_USER)
        user = await store.get_user(db, user_id)
        if user is None or not user["active"]:
            raise NotFound(NO_USER)
        owner_id, email = user["id"], user["email"]
    assert owner_id is not None
    token, row = await issue_token(db, key, principal, owner_id, email, name)
    return token, {**row, "email": email}


async def issue_by_email(
    db: Database, key: bytes, principal: Principal, email: str, name: str
) -> str:
    """A token for the active user with that e-mail (the CLI's way in)."""
    user = await store.get_user_by_email(db, email)
    if user is None or not user["active"]:
        raise NotFound(f"no active user {email}")
    token, _ = await issue_token(db, key, principal, user["id"], user["email"], name)
    return token


async def revoke_token(db: Database, principal: Principal, token_id: uuid.UUID) -> None:
    """Revoke one of the caller's tokens, or anyone's for someone who manages users."""
    row = await store.get_token(db, token_id)
    # Someone else's token looks exactly like a missing one.
    if row is None or (row["user_id"] != principal.user_id and not principal.may("users:manage")):
        raise NotFound(NOT_FOUND)
    await store.revoke_token(db, token_id)
    await audit.record(
        db, principal, "tokens:revoke", target=row["email"], details={"id": str(token_id)}
    )
