"""Re-applying the erasure log: withdrawn reports deleted, purged text cleared."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, text, update

from app.db.pool import Database
from app.db.tables.erasure import erasure_replay
from app.repo.reports import bump_version

_OFFSET = select(erasure_replay.c.log_offset).where(erasure_replay.c.id == 1)
_DELETE = text("DELETE FROM reports WHERE id = ANY(CAST(:ids AS uuid[]))")
_CLEAR_TEXT = text(
    "UPDATE reports SET description = NULL, suggestion = NULL, text_status = 'none' "
    "WHERE id = ANY(CAST(:ids AS uuid[])) "
    "AND (description IS NOT NULL OR suggestion IS NOT NULL)"
)
# The state kept for reverting a moderation step holds text too (as in retention).
_CLEAR_MODERATION = text(
    "UPDATE moderation_actions "
    'SET previous = previous || \'{"description": null, "suggestion": null}\'::jsonb '
    "WHERE report_id = ANY(CAST(:ids AS uuid[])) "
    "AND (previous->>'description' IS NOT NULL OR previous->>'suggestion' IS NOT NULL)"
)
_ARCHIVER = text(
    "SELECT CASE WHEN last_failed_time IS NOT NULL "
    "AND (last_archived_time IS NULL OR last_failed_time > last_archived_time) "
    "THEN extract(epoch FROM now() - coalesce(last_archived_time, stats_reset)) END "
    "AS failing_seconds, last_archived_wal, last_archived_time, last_failed_wal, "
    "last_failed_time FROM pg_stat_archiver"
)


async def replayed_offset(db: Database) -> int:
    rows = await db.fetch_all(_OFFSET)
    return int(rows[0]["log_offset"]) if rows else 0


async def apply(
    db: Database, withdrawn: list[uuid.UUID], purged: list[uuid.UUID], offset: int
) -> tuple[int, int]:
    """Apply one batch and move the offset in the same transaction; (deleted, cleared)."""
    async with db.batch_transaction() as conn:
        deleted = await db.execute(_DELETE.bindparams(ids=withdrawn), conn) if withdrawn else 0
        cleared = 0
        if purged:
            cleared = await db.execute(_CLEAR_TEXT.bindparams(ids=purged), conn)
            await db.execute(_CLEAR_MODERATION.bindparams(ids=purged), conn)
        if deleted:
            await bump_version(db, conn)
        await db.execute(
            update(erasure_replay)
            .where(erasure_replay.c.id == 1)
            .values(log_offset=offset, replayed_at=func.now()),
            conn,
        )
    return deleted, cleared


async def archiver(db: Database) -> dict[str, Any]:
    """pg_stat_archiver, plus for how long archiving has been failing (None when it is not)."""
    rows = await db.fetch_all(_ARCHIVER)
    return dict(rows[0]) if rows else {}
