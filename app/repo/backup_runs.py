"""Backup outcomes (backup_runs) and the lock that keeps two backups from running at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, text

from app.db.pool import AsyncConn, Database
from app.db.tables.backup_runs import backup_runs

# One advisory lock key for "a backup is running", across every process and host
# that shares the database (the scheduler, `python -m app backup`, a second replica).
LOCK_KEY = 7_418_203_001
_TRY_LOCK = text("SELECT pg_try_advisory_lock(:key) AS locked")
_UNLOCK = text("SELECT pg_advisory_unlock(:key) AS unlocked")
KEEP_DAYS = 90
# The timeline WAL is written on now: a restore (or a promotion) starts a new one.
_TIMELINE = text(
    "SELECT CASE WHEN pg_is_in_recovery() THEN NULL "
    "ELSE pg_walfile_name(pg_current_wal_lsn()) END AS walfile"
)


async def try_lock(db: Database, conn: AsyncConn) -> bool:
    row = await db.fetch_one(_TRY_LOCK, conn, {"key": LOCK_KEY})
    return bool(row and row["locked"])


async def unlock(db: Database, conn: AsyncConn) -> None:
    await db.fetch_one(_UNLOCK, conn, {"key": LOCK_KEY})


async def record(
    db: Database,
    *,
    kind: str,
    trigger: str,
    started_at: datetime,
    finished_at: datetime,
    ok: bool,
    label: str | None,
    error: str | None,
) -> None:
    async with db.transaction() as conn:
        await db.execute(
            insert(backup_runs).values(
                kind=kind,
                trigger=trigger,
                started_at=started_at,
                finished_at=finished_at,
                ok=ok,
                label=label,
                error=error,
            ),
            conn,
        )
        # An hourly schedule adds ~2 000 rows in 90 days; older ones say nothing new.
        await db.execute(
            delete(backup_runs).where(
                backup_runs.c.finished_at < func.now() - text(f"interval '{KEEP_DAYS} days'")
            ),
            conn,
        )


async def last(db: Database, ok: bool | None = None) -> dict[str, Any] | None:
    query = select(backup_runs).order_by(backup_runs.c.finished_at.desc()).limit(1)
    if ok is not None:
        query = query.where(backup_runs.c.ok.is_(ok))
    row = await db.fetch_one(query)
    return dict(row) if row else None


async def failing_since(db: Database) -> datetime | None:
    """When the first failure after the last success finished; None when the last run is ok."""
    last_ok = select(func.max(backup_runs.c.finished_at)).where(backup_runs.c.ok).scalar_subquery()
    row = await db.fetch_one(
        select(func.min(backup_runs.c.finished_at).label("since")).where(
            ~backup_runs.c.ok,
            (backup_runs.c.finished_at > last_ok) | last_ok.is_(None),
        )
    )
    since = row["since"] if row else None
    return since if isinstance(since, datetime) else None


async def current_timeline(db: Database) -> int | None:
    """The cluster's current WAL timeline; None while it is still in recovery."""
    row = await db.fetch_one(_TIMELINE)
    walfile = row["walfile"] if row else None
    # A WAL file name starts with its timeline, 8 hex digits.
    return int(walfile[:8], 16) if isinstance(walfile, str) else None
