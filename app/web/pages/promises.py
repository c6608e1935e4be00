"""GET /loften: the year's promises and their progress, for everyone (every resident language).

GET /staff/loften: admins record the promises and link hotspots and sites.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.security.access import Principal, require_page
from app.services.promises import promises_for_year
from app.web.deps import DbDep, SettingsDep
from app.web.pages.presence import loften_presence
from app.web.render import language, page, staff_page
from frontend.templating import LANGUAGES
from geo.redesign import STATUSES
from geo.vocabulary import label

router = APIRouter(include_in_schema=False)


@router.get("/loften", response_class=HTMLResponse)
async def promises_page(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    year: int | None = Query(None, ge=2000, le=2100),
) -> HTMLResponse:
    lang = language(request, LANGUAGES)
    data = await promises_for_year(db, year)
    statuses = [(t.code, label(t, lang)) for t in STATUSES]
    extra = await loften_presence(db, settings, data.get("year") or dt.date.today().year)
    return page(request, lang, "loften.html", page="loften", data=data, statuses=statuses, **extra)


@router.get("/staff/loften", response_class=HTMLResponse)
async def promises_admin_page(
    request: Request, principal: Annotated[Principal, require_page("promises:manage")]
) -> HTMLResponse:
    return staff_page(request, "loften_admin.html", year=dt.date.today().year)
