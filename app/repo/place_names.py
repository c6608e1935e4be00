"""Human names of places (hotspots), keyed by the stable hotspot id, with history."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as upsert

from app.db.pool import Database, Row
from app.db.tables.hotspots import hotspot_identities
from app.db.tables.presence import place_name_history, place_names


async def names(db: Database, hotspot_ids: Iterable[str] | None = None) -> dict[str, str]:
    """hotspot id -> name, for the given ids (every named place when None)."""
    stmt = select(place_names.c.hotspot_id, place_names.c.name)
    if hotspot_ids is not None:
        stmt = stmt.where(place_names.c.hotspot_id.in_(list(hotspot_ids)))
    return {r["hotspot_id"]: r["name"] for r in await db.fetch_all(stmt)}


async def all_names(db: Database) -> set[str]:
    return set((await names(db)).values())


async def add_generated(db: Database, hotspot_id: str, name: str, source: str) -> bool:
    """Store a generated name unless the place already has one; True when stored."""
    async with db.transaction() as conn:
        row = await db.fetch_one(
            upsert(place_names)
            .values(hotspot_id=hotspot_id, name=name, source=source)
            .on_conflict_do_nothing(index_elements=["hotspot_id"])
            .returning(place_names.c.hotspot_id),
            conn,
        )
        if row is None:
            return False
        await db.execute(
            insert(place_name_history).values(hotspot_id=hotspot_id, name=name, source=source),
            conn,
        )
    return True


async def rename(db: Database, hotspot_id: str, name: str, changed_by: uuid.UUID | None) -> None:
    """A planner's name; replaces any earlier one and is kept in the history."""
    async with db.transaction() as conn:
        stmt = upsert(place_names).values(
            hotspot_id=hotspot_id, name=name, source="planner", updated_by=changed_by
        )
        await db.execute(
            stmt.on_conflict_do_update(
                index_elements=["hotspot_id"],
                set_={
                    "name": stmt.excluded.name,
                    "source": stmt.excluded.source,
                    "updated_by": stmt.excluded.updated_by,
                    "updated_at": func.now(),
                },
            ),
            conn,
        )
        await db.execute(
            insert(place_name_history).values(
                hotspot_id=hotspot_id, name=name, source="planner", changed_by=changed_by
            ),
            conn,
        )


async def history(db: Database, hotspot_id: str) -> list[Row]:
    stmt = (
        select(
            place_name_history.c.name,
            place_name_history.c.source,
            place_name_history.c.changed_at,
            place_name_history.c.changed_by,
        )
        .where(place_name_history.c.hotspot_id == hotspot_id)
        .order_by(place_name_history.c.id)
    )
    return await db.fetch_all(stmt)


# One query for all points: the nearest named way to each, and its distance.
NEAREST_STREETS = text(
    """
    SELECT p.i, s.name, s.metres
    FROM unnest(CAST(:lons AS float8[]), CAST(:lats AS float8[])) WITH ORDINALITY AS p(lon, lat, i)
    JOIN LATERAL (
        SELECT w.name,
               ST_Distance(w.geom::geography,
                           ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)::geography) AS metres
        FROM walk_ways w
        WHERE w.name IS NOT NULL
        ORDER BY w.geom <-> ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326)
        LIMIT 1
    ) s ON true
    """
)


async def nearest_streets(
    db: Database, points: Sequence[tuple[float, float]]
) -> list[tuple[str, float] | None]:
    """For each (lon, lat): the nearest named street of the imported network and its metres."""
    if not points:
        return []
    stmt = NEAREST_STREETS.bindparams(
        lons=[float(p[0]) for p in points], lats=[float(p[1]) for p in points]
    )
    found: list[tuple[str, float] | None] = [None] * len(points)
    for row in await db.fetch_all(stmt):
        found[int(row["i"]) - 1] = (str(row["name"]), float(row["metres"]))
    return found


async def is_hotspot(db: Database, hotspot_id: uuid.UUID) -> bool:
    """Whether the id is a hotspot's stable id (current or retired)."""
    stmt = select(hotspot_identities.c.id).where(hotspot_identities.c.id == hotspot_id)
    return await db.fetch_one(stmt) is not None
