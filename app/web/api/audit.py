"""/api/v1/audit: admins browse and export the append-only audit log."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.security.access import Principal, require
from app.services.staff import audit_log
from app.web import params
from app.web.api import shapes
from app.web.deps import DbDep
from app.web.openapi import ref
from app.web.responses import JsonResponse

router = APIRouter(prefix="/api/v1/audit", tags=["audit log"])


@router.get(
    "",
    summary="Browse the audit log, newest first (admin); `format=csv` exports",
    responses={
        200: {
            "description": "Entries, newest first; follow `links` for older ones",
            "content": {
                "application/json": {"schema": ref(shapes.AuditPage)},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def browse(
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require("audit:read")],
    action: Annotated[str | None, Query(max_length=100)] = None,
    actor: Annotated[str | None, Query(max_length=254, description="E-mail of the actor")] = None,
    since: Annotated[str | None, Query()] = None,
    until: Annotated[str | None, Query()] = None,
    before: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="Entries older than this id")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 100,
    format: Annotated[str, Query(pattern="^(json|csv)$")] = "json",  # noqa: A002
) -> Response:
    filters = {
        k: v
        for k, v in {"action": action, "actor": actor, "since": since, "until": until}.items()
        if v
    }
    rows = await audit_log.browse(
        db,
        principal,
        action=action,
        actor=actor,
        since=params.instant("since", since),
        until=params.instant("until", until, end=True),
        before_id=before,
        limit=limit,
        export=format == "csv",
        filters=filters,
    )
    if format == "csv":
        return Response(
            audit_log.as_csv(rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
        )
    links = []
    if len(rows) == limit:
        query = urlencode({**filters, "limit": limit, "before": rows[-1]["id"]})
        links.append({"rel": "next", "href": f"{request.url.path}?{query}"})
    return JsonResponse({"entries": [audit_log.entry(r) for r in rows], "links": links})
