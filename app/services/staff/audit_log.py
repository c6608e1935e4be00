"""Browsing and exporting the audit log; every look at the log is itself logged."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

import orjson

from app.db.pool import Database, Row
from app.repo import audit as store
from app.security import audit
from app.security.access import Principal
from app.services.exports.csv_writer import neutralise

CSV_FIELDS = ("id", "at", "actor", "via", "action", "target", "rows", "details")


async def browse(
    db: Database,
    principal: Principal,
    *,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
    export: bool = False,
    filters: dict[str, Any] | None = None,
) -> list[Row]:
    """Entries newest first; `filters` are the caller's words for the audit entry."""
    rows = await store.browse(
        db,
        action=action,
        actor=actor,
        since=since,
        until=until,
        before_id=before_id,
        limit=limit,
    )
    await audit.record(
        db,
        principal,
        "audit:export" if export else "audit:read",
        details=filters or {},
        rows=len(rows),
    )
    return rows


def entry(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "at": row["at"].isoformat(),
        "user_id": str(row["user_id"]) if row["user_id"] else None,
        "actor": row["actor"],
        "via": row["via"],
        "action": row["action"],
        "target": row["target"],
        "details": row["details"],
        "rows": row["rows"],
    }


def as_csv(rows: list[Row]) -> str:
    """One line per entry, `details` as compact JSON, formula cells neutralised."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        item = entry(row)
        cells = {**item, "details": orjson.dumps(item["details"]).decode()}
        # Actors, targets and details can hold text someone typed: neutralise
        # formulas like every other CSV export does.
        writer.writerow({name: neutralise(value) for name, value in cells.items()})
    return out.getvalue()
