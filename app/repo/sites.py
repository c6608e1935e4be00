"""Redesign sites, their status history, and report counts for before/after."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import orjson
from sqlalchemy import (
    Text,
    any_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, UUID

from app.db.pool import AsyncConn, Database, Row
from app.db.tables.planning import site_history, sites

COLUMNS = (
    sites.c.id,
    sites.c.name,
    sites.c.status,
    sites.c.hotspot_id,
    sites.c.reasons,
    sites.c.measures,
    sites.c.responsible,
    sites.c.planned_start,
    sites.c.planned_end,
    sites.c.completed_on,
    sites.c.notes,
    sites.c.created_at,
    sites.c.updated_at,
    # RFC 7946: exterior rings counterclockwise, whatever way they were drawn; always a
    # MultiPolygon, so that a GIS sees one geometry type per layer.
    cast(func.ST_AsGeoJSON(func.ST_ForcePolygonCCW(func.ST_Multi(sites.c.geom)), 7), Text).label(
        "geometry"
    ),
)


async def insert_site(
    db: Database,
    values: dict[str, Any],
    *,
    geometry_geojson: str | None = None,
    geometry_wkb: bytes | None = None,
    changed_by: uuid.UUID | None,
    changed_by_email: str | None,
) -> uuid.UUID:
    site_id = uuid.uuid4()
    if geometry_wkb is not None:
        geom = func.ST_GeomFromWKB(geometry_wkb, 4326)
    else:
        # A hotspot outline from PostGIS: polygons only, made valid, as stored.
        geom = func.ST_Multi(
            func.ST_CollectionExtract(
                func.ST_MakeValid(func.ST_SetSRID(func.ST_GeomFromGeoJSON(geometry_geojson), 4326)),
                3,
            )
        )
    async with db.transaction() as conn:
        await db.execute(
            insert(sites).values(id=site_id, geom=geom, created_by=changed_by, **values), conn
        )
        await _history(
            db,
            conn,
            site_id,
            None,
            values.get("status", "candidate"),
            {"created": True},
            changed_by,
            changed_by_email,
        )
    return site_id


async def _history(
    db: Database,
    conn: AsyncConn,
    site_id: uuid.UUID,
    from_status: str | None,
    to_status: str,
    changes: dict[str, Any],
    changed_by: uuid.UUID | None,
    changed_by_email: str | None,
) -> None:
    await db.execute(
        insert(site_history).values(
            site_id=site_id,
            from_status=from_status,
            to_status=to_status,
            changes=orjson.loads(orjson.dumps(changes, default=str)),
            changed_by=changed_by,
            changed_by_email=changed_by_email,
        ),
        conn,
    )


async def get_site(db: Database, site_id: uuid.UUID, conn: AsyncConn | None = None) -> Row | None:
    return await db.fetch_one(select(*COLUMNS).where(sites.c.id == site_id), conn)


async def list_sites(db: Database, status: str | None = None) -> list[Row]:
    stmt = select(*COLUMNS).order_by(sites.c.created_at)
    if status:
        stmt = stmt.where(sites.c.status == status)
    return await db.fetch_all(stmt)


async def export_rows(db: Database) -> list[Row]:
    stmt = select(
        *COLUMNS,
        func.ST_AsBinary(func.ST_Multi(sites.c.geom_3006)).label("wkb_3006"),
        func.ST_AsText(func.ST_Multi(sites.c.geom), 7).label("wkt"),
    ).order_by(sites.c.created_at)
    return await db.fetch_all(stmt)


def _ids(ids: list[uuid.UUID]) -> Any:
    """Site ids as one uuid[] parameter, however many there are."""
    return cast(bindparam("ids", list(ids), type_=ARRAY(UUID(as_uuid=True))), ARRAY(UUID()))


async def sites_by_ids(db: Database, ids: list[uuid.UUID]) -> list[Row]:
    if not ids:
        return []
    return await db.fetch_all(select(*COLUMNS).where(sites.c.id == any_(_ids(ids))))


async def update_site(
    db: Database,
    site_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    changed_by: uuid.UUID | None,
    changed_by_email: str | None,
    check: Any,
) -> Row | None:
    """Apply `changes` under a row lock; `check(current_row, changes)` may refuse."""
    async with db.transaction() as conn:
        locked = await db.fetch_one(
            select(
                sites.c.status,
                sites.c.completed_on,
                sites.c.planned_start,
                sites.c.planned_end,
            )
            .where(sites.c.id == site_id)
            .with_for_update(),
            conn,
        )
        if locked is None:
            return None
        check(locked, changes)
        if changes:
            await db.execute(
                update(sites).where(sites.c.id == site_id).values(**changes, updated_at=func.now()),
                conn,
            )
            await _history(
                db,
                conn,
                site_id,
                locked["status"],
                str(changes.get("status", locked["status"])),
                changes,
                changed_by,
                changed_by_email,
            )
        return await get_site(db, site_id, conn)


async def history(db: Database, site_id: uuid.UUID) -> list[Row]:
    stmt = (
        select(
            site_history.c.changed_at,
            site_history.c.changed_by_email,
            site_history.c.from_status,
            site_history.c.to_status,
            site_history.c.changes,
        )
        .where(site_history.c.site_id == site_id)
        .order_by(site_history.c.id)
    )
    return await db.fetch_all(stmt)


async def status_counts(db: Database, ids: list[uuid.UUID]) -> dict[str, int]:
    if not ids:
        return {}
    stmt = (
        select(sites.c.status, func.count().label("n"))
        .where(sites.c.id == any_(_ids(ids)))
        .group_by(sites.c.status)
    )
    return {r["status"]: int(r["n"]) for r in await db.fetch_all(stmt)}


# Unsafe, published reports inside the outline and in the ring around it,
# split at the completion moment. Metres in SWEREF 99 TM.
COUNTS = text(
    """
    SELECT
      count(*) FILTER (WHERE inside AND created_at < :split) AS inside_before,
      count(*) FILTER (WHERE inside AND created_at >= :split) AS inside_after,
      count(*) FILTER (WHERE NOT inside AND created_at < :split) AS ring_before,
      count(*) FILTER (WHERE NOT inside AND created_at >= :split) AS ring_after
    FROM (
      SELECT r.created_at, ST_Intersects(r.geom_3006, s.geom_3006) AS inside
      FROM reports r JOIN sites s ON s.id = :site
      WHERE r.status = 'published' AND r.kind = 'unsafe'
        AND r.created_at >= :start AND r.created_at < :stop
        AND ST_DWithin(r.geom_3006, s.geom_3006, :ring)
    ) x
    """
)


async def report_counts(
    db: Database,
    site_id: uuid.UUID,
    *,
    start: dt.datetime,
    split: dt.datetime,
    stop: dt.datetime,
    ring_m: float,
) -> dict[str, int]:
    row = await db.fetch_one(
        COUNTS.bindparams(site=site_id, start=start, split=split, stop=stop, ring=ring_m)
    )
    assert row is not None
    return {key: int(value) for key, value in row.items()}


async def delete_candidate(db: Database, site_id: uuid.UUID) -> bool | None:
    """Delete a site that never left `candidate`: True; None if no such site; False if it did."""
    async with db.transaction() as conn:
        row = await db.fetch_one(
            select(sites.c.status).where(sites.c.id == site_id).with_for_update(), conn
        )
        if row is None:
            return None
        moved = exists().where(
            site_history.c.site_id == site_id, site_history.c.to_status != "candidate"
        )
        history = await db.fetch_one(select(moved.label("moved")), conn)
        if row["status"] != "candidate" or (history is not None and history["moved"]):
            return False
        # Its history goes with it (ON DELETE CASCADE); the audit log keeps the deletion.
        await db.execute(delete(sites).where(sites.c.id == site_id), conn)
    return True
