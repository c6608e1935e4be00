"""Presence groups, presence plans and the presence carried out from them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as upsert

from app.db.pool import Database, Row
from app.db.tables.presence import presence_groups, presence_plans, presence_visits

GROUP_COLUMNS = (
    presence_groups.c.id,
    presence_groups.c.name,
    presence_groups.c.kind,
    presence_groups.c.shifts,
    presence_groups.c.created_at,
    presence_groups.c.updated_at,
)


async def insert_group(
    db: Database, group_id: uuid.UUID, values: dict[str, Any], created_by: uuid.UUID | None
) -> None:
    await db.execute(insert(presence_groups).values(id=group_id, created_by=created_by, **values))


async def get_group(db: Database, group_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(select(*GROUP_COLUMNS).where(presence_groups.c.id == group_id))


async def list_groups(db: Database, ids: list[uuid.UUID] | None = None) -> list[Row]:
    stmt = select(*GROUP_COLUMNS).order_by(presence_groups.c.created_at, presence_groups.c.id)
    if ids is not None:
        stmt = stmt.where(presence_groups.c.id.in_(ids))
    return await db.fetch_all(stmt)


async def update_group(db: Database, group_id: uuid.UUID, values: dict[str, Any]) -> bool:
    stmt = (
        update(presence_groups)
        .where(presence_groups.c.id == group_id)
        .values(**values, updated_at=func.now())
    )
    return await db.execute(stmt) > 0


async def delete_group(db: Database, group_id: uuid.UUID) -> bool:
    return await db.execute(delete(presence_groups).where(presence_groups.c.id == group_id)) > 0


async def insert_plan(
    db: Database,
    plan_id: uuid.UUID,
    *,
    week: str,
    request: dict[str, Any],
    plan: dict[str, Any],
    created_by: uuid.UUID | None,
) -> None:
    await db.execute(
        insert(presence_plans).values(
            id=plan_id, week=week, request=request, plan=plan, created_by=created_by
        )
    )


async def get_plan(db: Database, plan_id: uuid.UUID) -> Row | None:
    stmt = select(
        presence_plans.c.id,
        presence_plans.c.week,
        presence_plans.c.plan,
        presence_plans.c.created_at,
    ).where(presence_plans.c.id == plan_id)
    return await db.fetch_one(stmt)


async def list_plans(db: Database, limit: int = 50) -> list[Row]:
    stmt = (
        select(presence_plans.c.id, presence_plans.c.week, presence_plans.c.created_at)
        .order_by(presence_plans.c.created_at.desc())
        .limit(limit)
    )
    return await db.fetch_all(stmt)


async def record_visit(db: Database, values: dict[str, Any]) -> tuple[Row, bool]:
    """Store a carried-out stop once; a repeat returns the first record (created False)."""
    stmt = (
        upsert(presence_visits)
        .values(id=uuid.uuid4(), **values)
        .on_conflict_do_nothing(index_elements=["plan_id", "stop_key"])
        .returning(presence_visits.c.id, presence_visits.c.carried_out_on)
    )
    row = await db.fetch_one(stmt)
    if row is not None:
        return row, True
    again = await db.fetch_one(
        select(presence_visits.c.id, presence_visits.c.carried_out_on).where(
            presence_visits.c.plan_id == values["plan_id"],
            presence_visits.c.stop_key == values["stop_key"],
        )
    )
    assert again is not None
    return again, False


async def visits_of_plan(db: Database, plan_id: uuid.UUID) -> list[Row]:
    stmt = (
        select(
            presence_visits.c.stop_key,
            presence_visits.c.carried_out_on,
            presence_visits.c.minutes,
            presence_visits.c.note,
        )
        .where(presence_visits.c.plan_id == plan_id)
        .order_by(presence_visits.c.recorded_at)
    )
    return await db.fetch_all(stmt)


async def visits_per_group(db: Database, since: dt.date, until: dt.date) -> list[Row]:
    """Carried-out stops per group name and kind in [since, until]."""
    stmt = (
        select(
            presence_visits.c.group_name,
            presence_visits.c.group_kind,
            func.count().label("visits"),
            func.count(func.distinct(presence_visits.c.hotspot_id)).label("places"),
        )
        .where(presence_visits.c.carried_out_on.between(since, until))
        .group_by(presence_visits.c.group_name, presence_visits.c.group_kind)
        .order_by(func.count().desc())
    )
    return await db.fetch_all(stmt)
