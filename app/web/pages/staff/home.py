"""GET /staff/: the overview every staff role starts from."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.security.access import Principal, require_page
from app.web.render import staff_page

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def home(
    request: Request, principal: Annotated[Principal, require_page("staff:home")]
) -> HTMLResponse:
    return staff_page(request, "staff/home.html")
