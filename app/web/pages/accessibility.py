"""GET /tillganglighet: the accessibility statement the DOS law requires of public-sector sites."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.render import language, page

router = APIRouter(include_in_schema=False)


@router.get("/tillganglighet", response_class=HTMLResponse)
async def accessibility_statement(request: Request) -> HTMLResponse:
    return page(request, language(request), "tillganglighet.html", page="a11y")
