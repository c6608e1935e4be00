"""GET /staff/patrull: plan a patrol on the map, print it, record it as carried out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.security.access import Principal, require_page
from app.web.deps import SettingsDep
from app.web.render import language, staff_page
from frontend import maps
from geo.patrol import DAY_NAMES, WEEKDAY_CODES

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("/patrull", response_class=HTMLResponse)
async def patrol_page(
    request: Request,
    settings: SettingsDep,
    principal: Annotated[Principal, require_page("patrol:plan")],
) -> HTMLResponse:
    lang = language(request)
    days = list(zip(WEEKDAY_CODES, DAY_NAMES[lang], strict=True))
    return staff_page(
        request,
        "patrol.html",
        map=maps.staff_map(settings.tile_url, settings.tile_attribution),
        days=days,
        visit_minutes=settings.patrol_visit_minutes,
        page_data={"visit_minutes": settings.patrol_visit_minutes},
    )
