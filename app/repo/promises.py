"""The year's promises (medborgarlöften) and their progress, computed from the data."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Text, cast, delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from app.db.pool import Database, Row
from app.db.tables.planning import patrol_runs, promises

COLUMNS = (
    promises.c.id,
    promises.c.year,
    promises.c.position,
    promises.c.area_sv,
    promises.c.area_en,
    promises.c.text_sv,
    promises.c.text_en,
    promises.c.hotspot_ids,
    promises.c.site_ids,
    promises.c.source,
    promises.c.updated_at,
)


async def insert_promise(db: Database, values: dict[str, Any]) -> uuid.UUID:
    promise_id = uuid.uuid4()
    await db.execute(insert(promises).values(id=promise_id, **values))
    return promise_id


async def update_promise(db: Database, promise_id: uuid.UUID, values: dict[str, Any]) -> bool:
    stmt = update(promises).where(promises.c.id == promise_id)
    return await db.execute(stmt.values(**values, updated_at=func.now())) > 0


async def delete_promise(db: Database, promise_id: uuid.UUID) -> bool:
    return await db.execute(delete(promises).where(promises.c.id == promise_id)) > 0


async def get_promise(db: Database, promise_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(select(*COLUMNS).where(promises.c.id == promise_id))


async def list_promises(db: Database, year: int | None = None) -> list[Row]:
    stmt = select(*COLUMNS).order_by(promises.c.year.desc(), promises.c.position)
    if year is not None:
        stmt = stmt.where(promises.c.year == year)
    return await db.fetch_all(stmt)


async def years(db: Database) -> list[int]:
    stmt = select(promises.c.year).distinct().order_by(promises.c.year.desc())
    return [int(r["year"]) for r in await db.fetch_all(stmt)]


async def delete_year(db: Database, year: int, source: str) -> int:
    stmt = delete(promises).where(promises.c.year == year, promises.c.source == source)
    return await db.execute(stmt)


async def patrols_at(db: Database, hotspot_ids: list[str], start: dt.date, end: dt.date) -> int:
    """Patrols carried out in [start, end] that visited at least one of the hotspots."""
    if not hotspot_ids:
        return 0
    stmt = select(func.count().label("n")).where(
        patrol_runs.c.hotspot_ids.op("&&")(cast(hotspot_ids, ARRAY(Text))),
        patrol_runs.c.carried_out_on >= start,
        patrol_runs.c.carried_out_on <= end,
    )
    row = await db.fetch_one(stmt)
    return int(row["n"]) if row else 0


# Unsafe reports inside the union of the linked places' outlines, per period.
REPORTS_AT = text(
    """
    WITH places AS (
      SELECT ST_Union(g) AS g FROM (
        SELECT ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON(o), 4326), 3006) AS g
        FROM unnest(CAST(:outlines AS text[])) AS o
        UNION ALL
        SELECT geom_3006 FROM sites WHERE id = ANY(CAST(:sites AS uuid[]))
      ) parts
    )
    SELECT
      count(*) FILTER (WHERE r.created_at >= :b0 AND r.created_at < :b1) AS before,
      count(*) FILTER (WHERE r.created_at >= :a0 AND r.created_at < :a1) AS during,
      count(DISTINCT COALESCE(r.reporter_hash, uuid_send(r.id)))
          FILTER (WHERE r.created_at >= :b0 AND r.created_at < :b1) AS before_people,
      count(DISTINCT COALESCE(r.reporter_hash, uuid_send(r.id)))
          FILTER (WHERE r.created_at >= :a0 AND r.created_at < :a1) AS during_people
    FROM reports r, places p
    WHERE r.status = 'published' AND r.kind = 'unsafe'
      AND r.created_at >= :b0 AND r.created_at < :a1
      AND ST_Intersects(r.geom_3006, p.g)
    """
)


async def reports_at(
    db: Database,
    outlines: list[str],
    site_ids: list[uuid.UUID],
    before: tuple[dt.datetime, dt.datetime],
    during: tuple[dt.datetime, dt.datetime],
) -> dict[str, int]:
    if not outlines and not site_ids:
        return {"before": 0, "during": 0, "before_people": 0, "during_people": 0}
    row = await db.fetch_one(
        REPORTS_AT.bindparams(
            outlines=outlines,
            sites=site_ids,
            b0=before[0],
            b1=before[1],
            a0=during[0],
            a1=during[1],
        )
    )
    assert row is not None
    return {name: int(row[name]) for name in ("before", "during", "before_people", "during_people")}
