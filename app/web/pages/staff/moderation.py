"""/staff/moderation: the moderation queue as a page, with approve, redact and hide."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.errors import DomainError
from app.security.access import Principal, require_page
from app.services.staff import moderation
from app.web.deps import DbDep
from app.web.params import path_uuid
from app.web.render import staff_page

router = APIRouter(prefix="/staff", include_in_schema=False)
HERE = "/staff/moderation"


@router.get("/moderation", response_class=HTMLResponse)
async def moderation_page(
    request: Request, db: DbDep, principal: Annotated[Principal, require_page("moderation")]
) -> HTMLResponse:
    rows = await moderation.queue(db, principal, limit=50)
    reports = [
        {
            "id": str(r["id"]),
            "received_at": r["received_at"].strftime("%Y-%m-%d %H:%M"),
            "description": r["description"],
            "suggestion": r["suggestion"],
        }
        for r in rows
    ]
    return staff_page(
        request, "staff/moderation.html", reports=reports, error=request.query_params.get("error")
    )


@router.post("/moderation/{report_id}", response_model=None)
async def moderation_action(
    report_id: str,
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require_page("moderation")],
) -> Response:
    form = await request.form()
    action = str(form.get("action") or "")
    try:
        parsed = path_uuid(report_id, "not a report id")
        if action == "approve":
            await moderation.approve(db, principal, parsed)
        elif action == "hide":
            await moderation.hide(db, principal, parsed)
        elif action == "redact":
            passages = str(form.get("remove") or "").splitlines()
            await moderation.redact(db, principal, parsed, passages)
        else:
            raise DomainError("unknown action")
    except DomainError as exc:
        return RedirectResponse(f"{HERE}?error={quote(exc.detail)}", status_code=303)
    return RedirectResponse(HERE, status_code=303)
