"""Retention: purge free text and reporter hashes after their configured periods.

Run daily (`python -m app purge`, e.g. from cron or a systemd timer). It also
drops expired sessions, rate-limit counters and first-seen address hashes,
logs the counts and writes them to the audit log.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import timedelta

from sqlalchemy import and_, delete, func, literal, null, or_, update
from sqlalchemy.dialects.postgresql import JSONB

from app.config import Settings
from app.db.pool import Database
from app.db.tables.reports import reports
from app.db.tables.staff import moderation_actions, staff_sessions
from app.repo import rate_counters
from app.repo.reports import bump_version
from app.security import audit
from app.security.access import Principal
from app.services import erasure

log = logging.getLogger(__name__)
SYSTEM = Principal(via="system")


@dataclass(frozen=True)
class Purged:
    texts: int
    moderation_texts: int
    reporter_hashes: int
    sessions: int
    rate_counters: int
    first_seen: int


async def purge(db: Database, settings: Settings) -> Purged:
    text_cutoff = func.now() - timedelta(days=settings.retention_text_days)
    hash_cutoff = func.now() - timedelta(days=settings.retention_reporter_days)
    async with db.batch_transaction() as conn:
        purged = await db.fetch_all(
            update(reports)
            .where(
                reports.c.received_at < text_cutoff,
                or_(reports.c.description.is_not(null()), reports.c.suggestion.is_not(null())),
            )
            .values(description=None, suggestion=None, text_status="none")
            .returning(reports.c.id),
            conn,
        )
        texts = len(purged)
        # Logged before the commit, so a restore re-purges what this run purged.
        await erasure.record_purge(settings, [row["id"] for row in purged])
        # The state kept for reverting a moderation step holds text too.
        cleared = literal({"description": None, "suggestion": None}, JSONB)
        moderation_texts = await db.execute(
            update(moderation_actions)
            .where(
                moderation_actions.c.report_id == reports.c.id,
                reports.c.received_at < text_cutoff,
                or_(
                    moderation_actions.c.previous["description"].astext.is_not(null()),
                    moderation_actions.c.previous["suggestion"].astext.is_not(null()),
                ),
            )
            .values(previous=moderation_actions.c.previous.op("||")(cleared)),
            conn,
        )
        hashes = await db.execute(
            update(reports)
            .where(
                and_(reports.c.received_at < hash_cutoff, reports.c.reporter_hash.is_not(null()))
            )
            .values(reporter_hash=None),
            conn,
        )
        if hashes:
            # Distinct-reporter counts change, so hotspots must be recomputed.
            await bump_version(db, conn)
        sessions = await db.execute(
            delete(staff_sessions).where(staff_sessions.c.expires_at < func.now()), conn
        )
    counters, first_seen = await rate_counters.purge_expired(db, settings.first_seen_days)
    result = Purged(texts, moderation_texts, hashes, sessions, counters, first_seen)
    log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in asdict(result).items()))
    await audit.record(db, SYSTEM, "retention:purge", details=asdict(result))
    return result
