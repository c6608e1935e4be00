"""The append-only audit table: insert and browse, never update or delete."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from app.db.pool import AsyncConn, Database, Row
from app.db.tables.staff import audit_log


async def append(
    db: Database,
    *,
    user_id: uuid.UUID | None,
    actor: str,
    via: str,
    action: str,
    target: str | None,
    details: dict[str, Any],
    rows: int | None,
    conn: AsyncConn | None = None,
) -> None:
    await db.execute(
        insert(audit_log).values(
            user_id=user_id,
            actor=actor,
            via=via,
            action=action,
            target=target,
            details=details,
            rows=rows,
        ),
        conn,
    )


async def browse(
    db: Database,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[Row]:
    """Newest first; `before_id` pages backwards through history."""
    stmt = select(audit_log)
    if action:
        stmt = stmt.where(audit_log.c.action == action)
    if actor:
        stmt = stmt.where(audit_log.c.actor == actor.strip().lower())
    if since is not None:
        stmt = stmt.where(audit_log.c.at >= since)
    if until is not None:
        stmt = stmt.where(audit_log.c.at < until)
    if before_id is not None:
        stmt = stmt.where(audit_log.c.id < before_id)
    return await db.fetch_all(stmt.order_by(audit_log.c.id.desc()).limit(limit))
