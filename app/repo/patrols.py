"""Patrol plans and the patrols carried out from them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, cast, delete, func, insert, literal, select

from app.db.pool import Database, Row
from app.db.tables.planning import patrol_plans, patrol_runs


def _linestring(points: Sequence[tuple[float, float]]) -> str | None:
    if len(points) < 2:
        return None
    return "LINESTRING(" + ", ".join(f"{x!r} {y!r}" for x, y in points) + ")"


async def insert_plan(
    db: Database,
    plan_id: uuid.UUID,
    *,
    request: dict[str, Any],
    plan: dict[str, Any],
    routing: str,
    route: Sequence[tuple[float, float]],
    created_by: uuid.UUID | None,
) -> None:
    wkt = _linestring(route)
    await db.execute(
        insert(patrol_plans).values(
            id=plan_id,
            request=request,
            plan=plan,
            routing=routing,
            route=None if wkt is None else func.ST_GeomFromText(wkt, 4326),
            created_by=created_by,
        )
    )


async def get_plan(db: Database, plan_id: uuid.UUID) -> Row | None:
    stmt = select(
        patrol_plans.c.id,
        patrol_plans.c.created_at,
        patrol_plans.c.plan,
        patrol_plans.c.routing,
        cast(func.ST_AsGeoJSON(patrol_plans.c.route, 7), Text).label("route_geojson"),
    ).where(patrol_plans.c.id == plan_id)
    return await db.fetch_one(stmt)


async def list_plans(db: Database, limit: int = 50) -> list[Row]:
    stmt = (
        select(patrol_plans.c.id, patrol_plans.c.created_at, patrol_plans.c.plan)
        .order_by(patrol_plans.c.created_at.desc())
        .limit(limit)
    )
    return await db.fetch_all(stmt)


async def insert_run(
    db: Database,
    *,
    plan_id: uuid.UUID,
    carried_out_on: dt.date,
    hotspot_ids: list[str],
    note: str | None,
    recorded_by: uuid.UUID | None,
) -> uuid.UUID:
    run_id = uuid.uuid4()
    await db.execute(
        insert(patrol_runs).values(
            id=run_id,
            plan_id=plan_id,
            carried_out_on=carried_out_on,
            hotspot_ids=hotspot_ids,
            note=note,
            recorded_by=recorded_by,
        )
    )
    return run_id


async def list_runs(db: Database, plan_id: uuid.UUID) -> list[Row]:
    stmt = (
        select(
            patrol_runs.c.id,
            patrol_runs.c.carried_out_on,
            patrol_runs.c.hotspot_ids,
            patrol_runs.c.note,
            patrol_runs.c.recorded_at,
        )
        .where(patrol_runs.c.plan_id == plan_id)
        .order_by(patrol_runs.c.carried_out_on, patrol_runs.c.recorded_at)
    )
    return await db.fetch_all(stmt)


async def delete_recent_run(
    db: Database, plan_id: uuid.UUID, run_id: uuid.UUID, hours: int
) -> bool | None:
    """Delete a run recorded less than `hours` ago: True; None if no such run; False if older."""
    recent = patrol_runs.c.recorded_at > func.now() - func.make_interval(0, 0, 0, 0, literal(hours))
    async with db.transaction() as conn:
        row = await db.fetch_one(
            select(recent.label("recent"))
            .where(patrol_runs.c.id == run_id, patrol_runs.c.plan_id == plan_id)
            .with_for_update(),
            conn,
        )
        if row is None:
            return None
        if not row["recent"]:
            return False
        await db.execute(delete(patrol_runs).where(patrol_runs.c.id == run_id), conn)
    return True
