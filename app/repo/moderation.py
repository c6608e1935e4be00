"""Reports as staff see them, and the moderation of their free text.

Free text is released to police and planners only after a moderator approved
or redacted it. Every moderation step stores the state before it, so an admin
can revert it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Select,
    Text,
    case,
    cast,
    func,
    insert,
    null,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY as PG_ARRAY

from app.db.pool import AsyncConn, Database, Row
from app.db.tables.reports import reports
from app.db.tables.staff import moderation_actions
from app.domain.filters import ReportFilter
from app.repo.reports import bump_version

RELEASED = ("approved", "redacted")
_released = reports.c.text_status.in_(RELEASED)


def _staff_columns() -> list[Any]:
    """What police and planners may see: no reporter hash, receipt or demographics."""
    return [
        reports.c.id,
        reports.c.created_at,
        reports.c.received_at,
        reports.c.channel,
        reports.c.status,
        reports.c.text_status,
        reports.c.kind,
        reports.c.severity,
        reports.c.reasons,
        reports.c.times,
        reports.c.days,
        reports.c.dark_season,
        reports.c.avoids_place,
        case((_released, reports.c.description), else_=null()).label("description"),
        case((_released, reports.c.suggestion), else_=null()).label("suggestion"),
        func.ST_AsGeoJSON(reports.c.geom, 7).label("geometry"),
    ]


def _overlaps(column: Any, values: tuple[str, ...]) -> Any:
    return column.op("&&")(cast(list(values), PG_ARRAY(Text)))


def _filtered(wanted: ReportFilter) -> Select[Any]:
    stmt = select(*_staff_columns())
    if wanted.bbox is not None:
        # Filter on the indexed column in its own SRID.
        envelope = func.ST_MakeEnvelope(*wanted.bbox, 4326)
        stmt = stmt.where(func.ST_Intersects(reports.c.geom, envelope))
    if wanted.since is not None:
        stmt = stmt.where(reports.c.created_at >= wanted.since)
    if wanted.until is not None:
        stmt = stmt.where(reports.c.created_at < wanted.until)
    if wanted.reasons:
        stmt = stmt.where(_overlaps(reports.c.reasons, wanted.reasons))
    if wanted.times:
        stmt = stmt.where(_overlaps(reports.c.times, wanted.times))
    if wanted.days:
        stmt = stmt.where(_overlaps(reports.c.days, wanted.days))
    if wanted.status:
        stmt = stmt.where(reports.c.status.in_(wanted.status))
    return stmt


# The geometry codes of the API (`app.domain.parsing.GEOMETRIES`) as PostGIS names them.
GEOMETRY_TYPES = {"point": "POINT", "line": "LINESTRING", "area": "POLYGON"}


async def staff_reports(
    db: Database,
    wanted: ReportFilter,
    *,
    limit: int,
    offset: int,
    geometry: str | None = None,
) -> list[Row]:
    """Newest first; `geometry` (point, line or area) keeps one geometry type per GIS layer."""
    filtered = _filtered(wanted)
    if geometry is not None:
        filtered = filtered.where(func.GeometryType(reports.c.geom) == GEOMETRY_TYPES[geometry])
    stmt = (
        filtered.order_by(reports.c.created_at.desc(), reports.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return await db.fetch_all(stmt)


async def staff_report(db: Database, report_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(select(*_staff_columns()).where(reports.c.id == report_id))


# --- moderation -------------------------------------------------------------


async def queue(db: Database, *, limit: int = 50) -> list[Row]:
    """Reports whose free text waits for a moderator, oldest first."""
    stmt = (
        select(
            reports.c.id,
            reports.c.received_at,
            reports.c.status,
            reports.c.text_status,
            reports.c.reasons,
            reports.c.description,
            reports.c.suggestion,
            func.ST_AsGeoJSON(reports.c.geom, 6).label("geometry"),
        )
        .where(reports.c.text_status == "pending")
        .order_by(reports.c.received_at)
        .limit(limit)
    )
    return await db.fetch_all(stmt)


_STATE = (reports.c.status, reports.c.text_status, reports.c.description, reports.c.suggestion)


async def _state(db: Database, conn: AsyncConn, report_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(
        select(*_STATE).where(reports.c.id == report_id).with_for_update(), conn
    )


async def apply(
    db: Database,
    report_id: uuid.UUID,
    action: str,
    changes: dict[str, Any],
    *,
    user_id: uuid.UUID | None,
) -> uuid.UUID | None:
    """Change a report and remember its previous state; None when there is no report."""
    async with db.transaction() as conn:
        before = await _state(db, conn, report_id)
        if before is None:
            return None
        action_id = uuid.uuid4()
        await db.execute(
            insert(moderation_actions).values(
                id=action_id,
                report_id=report_id,
                user_id=user_id,
                action=action,
                previous=dict(before),
                # The time the report was locked, not the transaction start, so
                # actions are ordered as they were applied.
                at=func.clock_timestamp(),
            ),
            conn,
        )
        await db.execute(update(reports).where(reports.c.id == report_id).values(**changes), conn)
        if "status" in changes and changes["status"] != before["status"]:
            # Hiding or unhiding changes what counts toward hotspots.
            await bump_version(db, conn)
    return action_id


@dataclass(frozen=True)
class Reverted:
    """What `revert` did: `done`, or why not (`unknown`, `already`, `not_latest`)."""

    outcome: str
    action: Row | None = None
    later: Row | None = None  # the newer action that must be reverted first


async def revert(db: Database, action_id: uuid.UUID) -> Reverted:
    """Restore the state before a moderation action, if it is the report's latest.

    Each action stores the state before it, so only the newest action still in
    force may be undone: restoring an older one would silently undo the later
    ones too. The report row is locked, so no action can slip in between.
    """
    async with db.transaction() as conn:
        action = await db.fetch_one(
            select(moderation_actions)
            .where(moderation_actions.c.id == action_id)
            .with_for_update(),
            conn,
        )
        if action is None:
            return Reverted("unknown")
        if action["reverted_at"] is not None:
            return Reverted("already", action)
        before = await _state(db, conn, action["report_id"])
        latest = await db.fetch_one(
            select(moderation_actions.c.id, moderation_actions.c.action, moderation_actions.c.at)
            .where(
                moderation_actions.c.report_id == action["report_id"],
                moderation_actions.c.reverted_at.is_(None),
            )
            .order_by(moderation_actions.c.at.desc())
            .limit(1),
            conn,
        )
        if latest is not None and latest["id"] != action_id:
            return Reverted("not_latest", action, latest)
        previous = action["previous"]
        await db.execute(
            update(reports)
            .where(reports.c.id == action["report_id"])
            .values(
                status=previous["status"],
                text_status=previous["text_status"],
                description=previous["description"],
                suggestion=previous["suggestion"],
            ),
            conn,
        )
        await db.execute(
            update(moderation_actions)
            .where(moderation_actions.c.id == action_id)
            .values(reverted_at=func.now()),
            conn,
        )
        if before is not None and before["status"] != previous["status"]:
            await bump_version(db, conn)
    return Reverted("done", action)


async def actions_of(db: Database, report_id: uuid.UUID) -> list[Row]:
    return await db.fetch_all(
        select(
            moderation_actions.c.id,
            moderation_actions.c.at,
            moderation_actions.c.action,
            moderation_actions.c.reverted_at,
        )
        .where(moderation_actions.c.report_id == report_id)
        .order_by(moderation_actions.c.at)
    )


async def text_of(db: Database, report_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(
        select(reports.c.description, reports.c.suggestion).where(reports.c.id == report_id)
    )
