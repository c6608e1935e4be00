"""Safety walks, their stops (each once per client key) and agreed actions."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Text, cast, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as upsert

from app.db.pool import Database, Row
from app.db.tables.presence import walk_actions, walk_stops, walks

WALK_COLUMNS = (
    walks.c.id,
    walks.c.name,
    walks.c.date,
    walks.c.meeting_point,
    walks.c.meeting_time,
    walks.c.announce,
    walks.c.created_at,
    cast(func.ST_AsGeoJSON(walks.c.geom, 7), Text).label("geometry"),
)
STOP_COLUMNS = (
    walk_stops.c.id,
    walk_stops.c.client_key,
    walk_stops.c.position,
    walk_stops.c.hotspot_id,
    walk_stops.c.checklist,
    walk_stops.c.note,
    walk_stops.c.created_at,
    cast(func.ST_AsGeoJSON(walk_stops.c.geom, 7), Text).label("geometry"),
)
ACTION_COLUMNS = (
    walk_actions.c.id,
    walk_actions.c.stop_id,
    walk_actions.c.text,
    walk_actions.c.unit,
    walk_actions.c.due,
    walk_actions.c.site_id,
    walk_actions.c.created_at,
)


async def insert_walk(
    db: Database, values: dict[str, Any], wkt: str, created_by: uuid.UUID | None
) -> uuid.UUID:
    walk_id = uuid.uuid4()
    geom = func.ST_GeomFromText(wkt, 4326)
    await db.execute(insert(walks).values(id=walk_id, geom=geom, created_by=created_by, **values))
    return walk_id


async def get_walk(db: Database, walk_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(select(*WALK_COLUMNS).where(walks.c.id == walk_id))


async def list_walks(
    db: Database, *, since: dt.date | None = None, announced: bool = False
) -> list[Row]:
    stmt = select(*WALK_COLUMNS).order_by(walks.c.date, walks.c.created_at)
    if since is not None:
        stmt = stmt.where(walks.c.date >= since)
    if announced:
        stmt = stmt.where(walks.c.announce.is_(True))
    return await db.fetch_all(stmt)


async def add_stop(
    db: Database, walk_id: uuid.UUID, values: dict[str, Any], wkt: str
) -> tuple[Row, bool]:
    """Insert a stop unless its client key was seen; returns the stop and whether it is new."""
    async with db.transaction() as conn:
        position = select(func.coalesce(func.max(walk_stops.c.position), 0) + 1).where(
            walk_stops.c.walk_id == walk_id
        )
        stmt = (
            upsert(walk_stops)
            .values(
                id=uuid.uuid4(),
                walk_id=walk_id,
                position=position.scalar_subquery(),
                geom=func.ST_GeomFromText(wkt, 4326),
                **values,
            )
            .on_conflict_do_nothing(index_elements=["walk_id", "client_key"])
            .returning(walk_stops.c.id)
        )
        created = await db.fetch_one(stmt, conn) is not None
        row = await db.fetch_one(
            select(*STOP_COLUMNS).where(
                walk_stops.c.walk_id == walk_id, walk_stops.c.client_key == values["client_key"]
            ),
            conn,
        )
    assert row is not None
    return row, created


async def stops(db: Database, walk_id: uuid.UUID) -> list[Row]:
    stmt = (
        select(*STOP_COLUMNS).where(walk_stops.c.walk_id == walk_id).order_by(walk_stops.c.position)
    )
    return await db.fetch_all(stmt)


async def get_stop(db: Database, walk_id: uuid.UUID, stop_id: uuid.UUID) -> Row | None:
    stmt = select(*STOP_COLUMNS).where(walk_stops.c.walk_id == walk_id, walk_stops.c.id == stop_id)
    return await db.fetch_one(stmt)


async def add_action(
    db: Database, walk_id: uuid.UUID, values: dict[str, Any], created_by: uuid.UUID | None
) -> uuid.UUID:
    action_id = uuid.uuid4()
    await db.execute(
        insert(walk_actions).values(id=action_id, walk_id=walk_id, created_by=created_by, **values)
    )
    return action_id


async def actions(db: Database, walk_id: uuid.UUID) -> list[Row]:
    stmt = (
        select(*ACTION_COLUMNS)
        .where(walk_actions.c.walk_id == walk_id)
        .order_by(walk_actions.c.created_at, walk_actions.c.id)
    )
    return await db.fetch_all(stmt)


async def get_action(db: Database, walk_id: uuid.UUID, action_id: uuid.UUID) -> Row | None:
    stmt = select(*ACTION_COLUMNS).where(
        walk_actions.c.walk_id == walk_id, walk_actions.c.id == action_id
    )
    return await db.fetch_one(stmt)


async def link_site(db: Database, action_id: uuid.UUID, site_id: uuid.UUID) -> None:
    await db.execute(
        update(walk_actions).where(walk_actions.c.id == action_id).values(site_id=site_id)
    )


async def stop_area_wkb(db: Database, stop_id: uuid.UUID, metres: float) -> bytes:
    """A circle of `metres` around the stop, as WKB in WGS 84 (a redesign site's outline)."""
    stmt = select(
        func.ST_AsBinary(
            func.ST_Multi(
                func.ST_Transform(
                    func.ST_Buffer(func.ST_Transform(walk_stops.c.geom, 3006), metres), 4326
                )
            )
        ).label("wkb")
    ).where(walk_stops.c.id == stop_id)
    row = await db.fetch_one(stmt)
    assert row is not None
    return bytes(row["wkb"])
