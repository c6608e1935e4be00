"""Idempotency-Key bookkeeping: a retried request gets the first answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
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
) -> StoredAnswer | None:
    """Record the answer for a key inside the caller's transaction.

    Returns None when the key is new (the caller goes on and commits), or the
    answer stored by an earlier request with the same key. A concurrent first
    request holding the key makes this wait until it commits or rolls back.
    """
    stmt = (
        insert(idempotency_keys)
        .values(
            key_hash=key_hash,
            request_hash=request_hash,
            status_code=status_code,
            response=response,
        )
        .on_conflict_do_nothing(index_elements=["key_hash"])
        .returning(idempotency_keys.c.key_hash)
    )
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


async def purge_expired(db: Database, hours: int) -> int:
    return await db.execute(
        delete(idempotency_keys).where(
            idempotency_keys.c.created_at < datetime.now(UTC) - timedelta(hours=hours)
        )
    )
