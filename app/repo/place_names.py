"""Human names of places (hotspots), keyed by the stable hotspot id, with history."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, insert, select, text
from sqlalchemy.dialects.postgresql import insert as upsert

from app.db.pool import Database, Row
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


NEAREST_STREET = text(
    """
    SELECT w.name, ST_Distance(w.geom::geography,
                               ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) AS metres
    FROM walk_ways w
    WHERE w.name IS NOT NULL
    ORDER BY w.geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)
    LIMIT 1
    """
)


async def nearest_street(db: Database, lon: float, lat: float) -> tuple[str, float] | None:
    """The nearest named street of the imported network and its distance in metres."""
    row = await db.fetch_one(NEAREST_STREET.bindparams(lon=lon, lat=lat))
    return None if row is None else (str(row["name"]), float(row["metres"]))
