"""/staff/audit: admins browse the newest audit entries as a page."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.security.access import Principal, require_page
from app.services.staff import audit_log
from app.web.deps import DbDep
from app.web.render import staff_page

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(
    request: Request, db: DbDep, principal: Annotated[Principal, require_page("audit:read")]
) -> HTMLResponse:
    action = request.query_params.get("action") or None
    actor = request.query_params.get("actor") or None
    filters = {k: v for k, v in {"action": action, "actor": actor}.items() if v}
    rows = await audit_log.browse(
        db, principal, action=action, actor=actor, limit=200, filters=filters
    )
    entries = [
        {
            **r,
            "at": r["at"].strftime("%Y-%m-%d %H:%M:%S"),
            "details": orjson.dumps(r["details"]).decode() if r["details"] else "",
        }
        for r in rows
    ]
    return staff_page(request, "staff/audit.html", entries=entries, filters=filters)
