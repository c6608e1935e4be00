"""/api/v1/audit: admins browse and export the append-only audit log."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.db.pool import Row
from app.repo import audit as store
from app.security import audit
from app.security.access import Principal, require
from app.web import params
from app.web.deps import DbDep
from app.web.responses import JsonResponse

router = APIRouter(prefix="/api/v1/audit", tags=["audit log"])
FIELDS = ("id", "at", "actor", "via", "action", "target", "rows", "details")


def _entry(row: Row) -> dict[str, Any]:
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


@router.get("", summary="Browse the audit log, newest first (admin); `format=csv` exports")
async def browse(
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require("audit:read")],
    action: Annotated[str | None, Query(max_length=100)] = None,
    actor: Annotated[str | None, Query(max_length=254, description="E-mail of the actor")] = None,
    since: Annotated[str | None, Query()] = None,
    until: Annotated[str | None, Query()] = None,
    before: Annotated[int | None, Query(description="Entries older than this id")] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 100,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",  # noqa: A002
) -> Response:
    start, stop = params.period(since, until)
    rows = await store.browse(
        db,
        action=action,
        actor=actor,
        since=start,
        until=stop,
        before_id=before,
        limit=limit,
    )
    filters = {
        k: v
        for k, v in {"action": action, "actor": actor, "since": since, "until": until}.items()
        if v
    }
    await audit.record(
        db,
        principal,
        "audit:export" if format == "csv" else "audit:read",
        details=filters,
        rows=len(rows),
    )
    entries = [_entry(r) for r in rows]
    if format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=FIELDS, extrasaction="ignore")
        writer.writeheader()
        for entry in entries:
            writer.writerow({**entry, "details": orjson.dumps(entry["details"]).decode()})
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
    links = []
    if len(rows) == limit:
        query = urlencode({**filters, "limit": limit, "before": rows[-1]["id"]})
        links.append({"rel": "next", "href": f"{request.url.path}?{query}"})
    return JsonResponse({"entries": entries, "links": links})
