"""A moderator's decision on a held place: publish or reject, keyed by the stable hotspot id."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from app.db.pool import Database, Row

DECIDE = text("""
INSERT INTO hotspot_reviews (hotspot_id, decision, independent_units, decided_by, decided_at)
VALUES (:id, :decision, :units, :by, now())
ON CONFLICT (hotspot_id) DO UPDATE
SET decision = EXCLUDED.decision, independent_units = EXCLUDED.independent_units,
    decided_by = EXCLUDED.decided_by, decided_at = EXCLUDED.decided_at
RETURNING hotspot_id, decision, independent_units, decided_at
""")

# The place in run `run`: what the gate said and what a moderator said before.
IN_RUN = text("""
SELECT h.hotspot_id, h.reporters, h.held_reasons, h.independent_units, h.support,
       rv.decision, rv.independent_units AS decided_units
FROM hotspots h LEFT JOIN hotspot_reviews rv ON rv.hotspot_id = h.hotspot_id
WHERE h.run_id = :run AND h.hotspot_id = :id
""")


async def in_run(db: Database, run_id: int, hotspot_id: uuid.UUID) -> Row | None:
    return await db.fetch_one(IN_RUN, values={"run": run_id, "id": hotspot_id})


async def decide(
    db: Database, hotspot_id: uuid.UUID, decision: str, units: int, by: uuid.UUID | None
) -> Row:
    row = await db.fetch_one(
        DECIDE, values={"id": hotspot_id, "decision": decision, "units": units, "by": by}
    )
    assert row is not None
    return row


STAMP = text(
    "SELECT COALESCE(extract(epoch FROM max(decided_at)) * 1000, 0)::bigint AS t, count(*) AS n "
    "FROM hotspot_reviews"
)


async def stamp(db: Database) -> str:
    """Changes whenever a moderator decides: part of a public answer's ETag."""
    row = await db.fetch_one(STAMP)
    return "0" if row is None else f"{int(row['t']):x}{int(row['n']):x}"
