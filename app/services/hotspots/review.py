"""A moderator publishes or rejects a place the independence gate held (audited).

The decision is keyed by the stable hotspot id and applied when reading
(`app.repo.hotspots.read_sql.PUBLIC_VISIBLE`), so it takes effect at once. A
rejection stands until the place has more independent units than it had
when it was rejected.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.db.pool import Database
from app.domain.filters import DEFAULT_KEY
from app.errors import NotFound
from app.repo.hotspots import reviews
from app.repo.hotspots.runs import latest_run
from app.security import audit
from app.security.access import Principal

NOT_FOUND = "no hotspot with that id in the current result"
DECISIONS = ("published", "rejected")


async def decide(
    db: Database, principal: Principal, hotspot_id: uuid.UUID, decision: str
) -> dict[str, Any]:
    """Record `decision` ("published" or "rejected") on a place of the current result."""
    if decision not in DECISIONS:
        raise ValueError(decision)
    run = await latest_run(db, DEFAULT_KEY)
    place = None if run is None else await reviews.in_run(db, int(run["id"]), hotspot_id)
    if place is None:
        raise NotFound(NOT_FOUND)
    units = int(place["independent_units"])
    stored = await reviews.decide(db, hotspot_id, decision, units, principal.user_id)
    await audit.record(
        db,
        principal,
        "hotspots:publish" if decision == "published" else "hotspots:reject",
        target=str(hotspot_id),
        details={
            "held_reasons": list(place["held_reasons"]),
            "independent_units": units,
            "before": place["decision"],
        },
    )
    return {
        "id": str(hotspot_id),
        "decision": stored["decision"],
        "independent_units": units,
        "held_reasons": list(place["held_reasons"]),
        "decided_at": stored["decided_at"].isoformat(),
    }
