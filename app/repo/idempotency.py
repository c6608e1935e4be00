"""Idempotency-Key bookkeeping: a retried request gets the first answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert

from app.db.pool import AsyncConn, Database
from app.db.tables.reports import idempotency_keys


@dataclass(frozen=True)
class StoredAnswer:
    request_hash: bytes
    status_code: int
    response: dict[str, Any]


async def claim(
    db: Database,
    conn: AsyncConn,
    key_hash: bytes,
    request_hash: bytes,
    status_code: int,
    response: dict[str, Any],
    hours: int,
) -> StoredAnswer | None:
    """Record the answer for a key inside the caller's transaction.

    Returns None when the key is new or its earlier answer is older than
    `hours` (then it is replaced, and the caller goes on and commits), or the
    answer stored by an earlier request with the same key. A concurrent first
    request holding the key makes this wait until it commits or rolls back.
    """
    values = insert(idempotency_keys).values(
        key_hash=key_hash,
        request_hash=request_hash,
        status_code=status_code,
        response=response,
    )
    stmt = values.on_conflict_do_update(
        index_elements=["key_hash"],
        set_={
            "request_hash": values.excluded.request_hash,
            "status_code": values.excluded.status_code,
            "response": values.excluded.response,
            "created_at": func.now(),
        },
        where=idempotency_keys.c.created_at < _expired_before(hours),
    ).returning(idempotency_keys.c.key_hash)
    if await db.fetch_one(stmt, conn):
        return None
    row = await db.fetch_one(
        select(
            idempotency_keys.c.request_hash,
            idempotency_keys.c.status_code,
            idempotency_keys.c.response,
        ).where(idempotency_keys.c.key_hash == key_hash),
        conn,
    )
    if row is None:  # purged between the two statements; treat as new next time
        return None
    return StoredAnswer(bytes(row["request_hash"]), row["status_code"], row["response"])


def _expired_before(hours: int) -> Any:
    return func.now() - timedelta(hours=hours)


async def purge_expired(db: Database, hours: int, conn: AsyncConn | None = None) -> int:
    return await db.execute(
        delete(idempotency_keys).where(idempotency_keys.c.created_at < _expired_before(hours)),
        conn,
    )
