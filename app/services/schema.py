"""Long-lived processes started beside the service (compose) wait for its migrations."""

from __future__ import annotations

import asyncio
import logging

from app.db.pool import Database, DatabaseUnavailable
from app.repo.schema_version import current_revision, head_revision

log = logging.getLogger(__name__)


async def migrations_pending(db: Database, head: str) -> str | None:
    """Why the database is not ready for this code yet (unreachable, or migrations
    not applied), or None."""
    try:
        revision = await current_revision(db)
    except DatabaseUnavailable as exc:
        return f"database unavailable: {exc}"
    if revision != head:
        return f"database schema is at {revision}, expected {head}: waiting for migrations"
    return None


async def wait_for_migrations(
    db: Database, stop: asyncio.Event, what: str, poll_seconds: float = 5.0
) -> bool:
    """Wait until the schema is at the code's head; False when `stop` came first."""
    head = head_revision()
    logged = False
    while not stop.is_set():
        reason = await migrations_pending(db, head)
        if reason is None:
            return True
        if not logged:
            log.warning("%s waiting: %s", what, reason)
            logged = True
        try:
            await asyncio.wait_for(stop.wait(), timeout=poll_seconds)
        except TimeoutError:
            continue
    return False
