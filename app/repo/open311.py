"""Open311 GeoReport v2: client keys, request sources, and the public view of requests.

The public view shows what the public may see: published reports only, the
location snapped to the centre of a 100 m SWEREF 99 TM grid cell, the day
(not the time) it was made, and free text only once a moderator released it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Text, bindparam, func, insert, select, text, update

from app.db.pool import AsyncConn, Database, Row
from app.db.tables.open311 import open311_keys, open311_requests
from app.repo import reports as report_store
from app.repo.moderation import RELEASED

GRID_METRES = 100


async def insert_key(
    db: Database, name: str, key_hash: bytes, per_hour: int, created_by: uuid.UUID | None
) -> uuid.UUID:
    key_id = uuid.uuid4()
    await db.execute(
        insert(open311_keys).values(
            id=key_id, name=name, key_hash=key_hash, per_hour=per_hour, created_by=created_by
        )
    )
    return key_id


async def list_keys(db: Database) -> list[Row]:
    k = open311_keys.c
    return await db.fetch_all(
        select(k.id, k.name, k.per_hour, k.created_at, k.last_used_at, k.revoked_at).order_by(
            k.created_at
        )
    )


async def revoke_key(db: Database, key_id: uuid.UUID) -> bool:
    """Revoke an active key; False when there is no such active key."""
    done = await db.execute(
        update(open311_keys)
        .where(open311_keys.c.id == key_id, open311_keys.c.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )
    return done > 0


async def active_key(db: Database, key_hash: bytes) -> Row | None:
    """The active key with this hash (and note that it was used), or None."""
    k = open311_keys.c
    return await db.fetch_one(
        update(open311_keys)
        .where(k.key_hash == key_hash, k.revoked_at.is_(None))
        .values(last_used_at=func.now())
        .returning(k.id, k.name, k.per_hour)
    )


async def insert_request(
    db: Database, values: dict[str, Any], wkb: bytes, key_id: uuid.UUID, service_code: str
) -> None:
    """Store the report and its Open311 source together."""
    async with db.transaction() as conn:
        await report_store.insert_report(db, values, wkb, conn)
        await _link(db, conn, values["id"], key_id, service_code)


async def _link(
    db: Database, conn: AsyncConn, report_id: uuid.UUID, key_id: uuid.UUID, code: str
) -> None:
    await db.execute(
        insert(open311_requests).values(report_id=report_id, key_id=key_id, service_code=code),
        conn,
    )


_PUBLIC = f"""
SELECT r.id::text AS service_request_id,
       COALESCE(o.service_code, r.reasons[1]) AS service_code,
       CASE WHEN r.text_status IN ({", ".join(f"'{s}'" for s in RELEASED)})
            THEN r.description END AS description,
       date_trunc('day', r.created_at) AS requested_datetime,
       round(ST_Y(p)::numeric, 6)::float8 AS lat,
       round(ST_X(p)::numeric, 6)::float8 AS long
FROM reports r
LEFT JOIN open311_requests o ON o.report_id = r.id
CROSS JOIN LATERAL (
    SELECT ST_Transform(ST_SetSRID(ST_MakePoint(
        floor(ST_X(c) / {GRID_METRES}) * {GRID_METRES} + {GRID_METRES / 2},
        floor(ST_Y(c) / {GRID_METRES}) * {GRID_METRES} + {GRID_METRES / 2}), 3006), 4326) AS p
    FROM ST_PointOnSurface(r.geom_3006) AS c
) g
WHERE r.status = 'published'
"""

_LIST = text(
    _PUBLIC
    + """
  AND (CAST(:ids AS uuid[]) IS NULL OR r.id = ANY(CAST(:ids AS uuid[])))
  AND (CAST(:code AS text) IS NULL OR CAST(:code AS text) = ANY(r.reasons))
  AND r.created_at >= :start AND r.created_at < :stop
ORDER BY r.created_at DESC, r.id DESC
LIMIT :limit
"""
).bindparams(bindparam("ids", type_=None), bindparam("code", type_=Text), bindparam("limit"))

_ONE = text(_PUBLIC + "  AND r.id = :id").bindparams(bindparam("id"))


async def public_requests(
    db: Database,
    *,
    start: datetime,
    stop: datetime,
    code: str | None,
    ids: list[uuid.UUID] | None,
    limit: int,
) -> list[Row]:
    return await db.fetch_all(
        _LIST.bindparams(
            ids=[str(i) for i in ids] if ids else None,
            code=code,
            start=start,
            stop=stop,
            limit=limit,
        )
    )


async def public_request(db: Database, report_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(_ONE.bindparams(id=report_id))
