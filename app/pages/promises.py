"""GET /loften: the year's promises and their progress, for everyone (sv/en)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.api.deps import DbDep
from app.api.promises import promises_for_year
from app.pages.public import language, page
from geo.redesign import STATUSES

router = APIRouter(include_in_schema=False)


@router.get("/loften", response_class=HTMLResponse)
async def promises_page(
    request: Request, db: DbDep, year: int | None = Query(None, ge=2000, le=2100)
) -> HTMLResponse:
    lang = language(request)
    data = await promises_for_year(db, year)
    statuses = [(t.code, t.en if lang == "en" else t.sv) for t in STATUSES]
    return page(request, lang, "loften.html", page="loften", data=data, statuses=statuses)
