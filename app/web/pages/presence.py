"""GET /staff/narvaro: presence groups, the week's plan as a place x hour grid, print."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.config import Settings
from app.db.pool import Database
from app.security.access import Principal, require_page
from app.services import presence, walks
from app.web.render import language, staff_page
from geo.patrol import DAY_NAMES, WEEKDAY_CODES

router = APIRouter(prefix="/staff", include_in_schema=False)

KINDS = {
    "sv": {
        "police": "Polis",
        "volunteers": "Volontärer",
        "guards": "Ordningsvakter",
        "field_workers": "Fältare",
        "leisure": "Fritidspersonal",
    },
    "en": {
        "police": "Police",
        "volunteers": "Volunteers",
        "guards": "Security guards",
        "field_workers": "Field workers",
        "leisure": "Youth leisure staff",
    },
}


@router.get("/narvaro", response_class=HTMLResponse)
async def presence_page(
    request: Request, principal: Annotated[Principal, require_page("presence:read")]
) -> HTMLResponse:
    lang = language(request)
    year, week, _ = (dt.date.today() + dt.timedelta(days=7)).isocalendar()
    days = list(zip(WEEKDAY_CODES, DAY_NAMES[lang], strict=True))
    return staff_page(
        request,
        "presence.html",
        days=days,
        kinds=KINDS[lang],
        week=f"{year}-W{week:02d}",
        may_manage=principal.may("presence:manage"),
        page_data={"days": dict(days), "kinds": KINDS[lang]},
    )


async def loften_presence(db: Database, settings: Settings, year: int) -> dict[str, Any]:
    """For /loften: presence carried out per group (above the public threshold), coming walks."""
    return {
        "presence_counts": await presence.public_counts(db, settings, year),
        "presence_year": year,
        "upcoming_walks": await walks.upcoming(db, dt.date.today()),
    }
