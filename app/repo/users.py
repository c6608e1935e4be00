"""Staff users, their sessions and API tokens.

Roles are read from the database on every request (never kept in a session,
a token or a process), so a removed role, a revoked token or a deactivated
user stops the very next request, whichever tool made the change.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    Interval,
    LargeBinary,
    any_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    update,
)

from app.db.pool import AsyncConn, Database, Row
from app.db.tables.staff import api_tokens, staff_sessions, staff_users

USER_COLUMNS = (
    staff_users.c.id,
    staff_users.c.email,
    staff_users.c.roles,
    staff_users.c.active,
    staff_users.c.created_at,
    staff_users.c.updated_at,
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


async def create_user(db: Database, email: str, password_hash: str, roles: list[str]) -> uuid.UUID:
    user_id = uuid.uuid4()
    await db.execute(
        insert(staff_users).values(
            id=user_id,
            email=normalise_email(email),
            password_hash=password_hash,
            roles=sorted(set(roles)),
        )
    )
    return user_id


async def email_taken(db: Database, email: str) -> bool:
    row = await db.fetch_one(
        select(staff_users.c.id).where(staff_users.c.email == normalise_email(email))
    )
    return row is not None


async def login_record(db: Database, email: str) -> Row | None:
    """Id, roles and password hash of an active user, for checking a login."""
    return await db.fetch_one(
        select(
            staff_users.c.id, staff_users.c.email, staff_users.c.roles, staff_users.c.password_hash
        ).where(staff_users.c.email == normalise_email(email), staff_users.c.active.is_(True))
    )


async def get_user(db: Database, user_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(select(*USER_COLUMNS).where(staff_users.c.id == user_id))


async def get_user_by_email(db: Database, email: str) -> Row | None:
    return await db.fetch_one(
        select(*USER_COLUMNS).where(staff_users.c.email == normalise_email(email))
    )


async def list_users(db: Database) -> list[Row]:
    return await db.fetch_all(select(*USER_COLUMNS).order_by(staff_users.c.email))


async def other_active_admins(db: Database, user_id: uuid.UUID) -> int:
    row = await db.fetch_one(
        select(func.count().label("n")).where(
            staff_users.c.id != user_id,
            staff_users.c.active.is_(True),
            literal("admin") == any_(staff_users.c.roles),
        )
    )
    return int(row["n"]) if row else 0


async def update_user(db: Database, user_id: uuid.UUID, values: dict[str, Any]) -> Row | None:
    if "roles" in values:
        values = {**values, "roles": sorted(set(values["roles"]))}
    async with db.transaction() as conn:
        rows = await db.fetch_all(
            update(staff_users)
            .where(staff_users.c.id == user_id)
            .values(**values, updated_at=func.now())
            .returning(*USER_COLUMNS),
            conn,
        )
        if rows and (values.get("active") is False or "password_hash" in values):
            # A deactivated user or a changed password ends every session and
            # token at once; reactivating the user later does not revive them.
            await end_sessions_and_tokens(db, user_id, conn)
    return rows[0] if rows else None


async def end_sessions_and_tokens(
    db: Database, user_id: uuid.UUID, conn: AsyncConn | None = None
) -> None:
    await db.execute(delete(staff_sessions).where(staff_sessions.c.user_id == user_id), conn)
    await db.execute(
        update(api_tokens)
        .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=func.now()),
        conn,
    )


# --- sessions ---------------------------------------------------------------


async def create_session(
    db: Database, user_id: uuid.UUID, id_hash: bytes, lifetime: timedelta
) -> None:
    await db.execute(
        insert(staff_sessions).values(
            id_hash=id_hash, user_id=user_id, expires_at=func.now() + lifetime
        )
    )
    # Expired sessions are dropped whenever someone logs in.
    await db.execute(delete(staff_sessions).where(staff_sessions.c.expires_at < func.now()))


# The user behind a live session. `last_seen_at` (the idle timer) is written at
# most once a minute: a write on every request cost a commit flush per map tile,
# and the staff map's parallel tile requests queued on the session row's lock.
# The idle limit is thereby kept to within a minute.
_SESSION_USER = text(
    """
WITH live AS (
    SELECT id_hash, user_id, last_seen_at FROM staff_sessions
    WHERE id_hash = :id_hash AND expires_at > now() AND last_seen_at > now() - :idle
), touched AS (
    UPDATE staff_sessions s SET last_seen_at = now() FROM live
    WHERE s.id_hash = live.id_hash AND live.last_seen_at < now() - interval '1 minute'
)
SELECT u.id, u.email, u.roles FROM staff_users u JOIN live ON u.id = live.user_id
WHERE u.active
"""
).bindparams(bindparam("id_hash", type_=LargeBinary), bindparam("idle", type_=Interval))


async def session_user(db: Database, id_hash: bytes, idle: timedelta) -> Row | None:
    """The active user behind a live session, touching its idle timer (once a minute)."""
    return await db.fetch_one(_SESSION_USER, values={"id_hash": id_hash, "idle": idle})


async def delete_session(db: Database, id_hash: bytes) -> None:
    await db.execute(delete(staff_sessions).where(staff_sessions.c.id_hash == id_hash))


# --- API tokens -------------------------------------------------------------


async def create_token(db: Database, user_id: uuid.UUID, token_hash: bytes, name: str) -> Row:
    rows = await db.fetch_all(
        insert(api_tokens)
        .values(id=uuid.uuid4(), user_id=user_id, token_hash=token_hash, name=name)
        .returning(api_tokens.c.id, api_tokens.c.name, api_tokens.c.created_at)
    )
    return rows[0]


# The user behind an unrevoked token. `last_used_at` is written at most once a
# minute per token: a write on every request cost a commit flush per GIS page
# or tile. In between, the UPDATE matches no row and the statement writes
# nothing, so its commit waits for no WAL flush (no trigger on `api_tokens` may
# NOTIFY: that alone gives the transaction an id and a flushed commit, migration
# 0021). Text, compiled once: compiling it as Core cost more than running it.
# The one definition of a valid token, as CTEs (`token`, `used`) that other
# statements may start with (the OGC items page looks its token up itself).
TOKEN_CTES = """
token AS (
    SELECT id, user_id, last_used_at FROM api_tokens
    WHERE token_hash = :token_hash AND revoked_at IS NULL
), used AS (
    UPDATE api_tokens t SET last_used_at = now() FROM token
    WHERE t.id = token.id
      AND (token.last_used_at IS NULL OR token.last_used_at < now() - interval '1 minute')
)"""
TOKEN_USER_JOIN = "staff_users u JOIN token ON u.id = token.user_id WHERE u.active"
_TOKEN_USER = text(
    f"WITH {TOKEN_CTES}\nSELECT u.id, u.email, u.roles FROM {TOKEN_USER_JOIN}"
).bindparams(bindparam("token_hash", type_=LargeBinary))


async def token_user(db: Database, token_hash: bytes) -> Row | None:
    """The active user behind an unrevoked token, noting (once a minute) its use."""
    return await db.fetch_one(_TOKEN_USER, values={"token_hash": token_hash})


TOKEN_COLUMNS = (
    api_tokens.c.id,
    api_tokens.c.user_id,
    staff_users.c.email,
    api_tokens.c.name,
    api_tokens.c.created_at,
    api_tokens.c.last_used_at,
    api_tokens.c.revoked_at,
)


async def list_tokens(db: Database, user_id: uuid.UUID | None) -> list[Row]:
    """Tokens of one user, or of everyone when `user_id` is None."""
    stmt = select(*TOKEN_COLUMNS).join_from(api_tokens, staff_users)
    if user_id is not None:
        stmt = stmt.where(api_tokens.c.user_id == user_id)
    return await db.fetch_all(stmt.order_by(api_tokens.c.created_at.desc()))


async def get_token(db: Database, token_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(
        select(*TOKEN_COLUMNS).join_from(api_tokens, staff_users).where(api_tokens.c.id == token_id)
    )


async def revoke_token(db: Database, token_id: uuid.UUID) -> bool:
    done = await db.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    return done > 0
