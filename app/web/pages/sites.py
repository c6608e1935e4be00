"""GET /staff/platser: redesign sites on a map, their status and before/after."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.security.access import Principal, require_page
from app.web.deps import SettingsDep
from app.web.render import language, staff_page
from frontend import maps
from geo.redesign import STATUSES

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("/platser", response_class=HTMLResponse)
async def sites_page(
    request: Request,
    settings: SettingsDep,
    principal: Annotated[Principal, require_page("sites:read")],
) -> HTMLResponse:
    lang = language(request)
    may_manage = principal.may("sites:manage")
    statuses = [(t.code, t.en if lang == "en" else t.sv) for t in STATUSES]
    return staff_page(
        request,
        "sites.html",
        # Planners draw new outlines; everyone else only looks.
        map=maps.resident_map(settings.tile_url, settings.tile_attribution)
        if may_manage
        else maps.staff_map(settings.tile_url, settings.tile_attribution),
        statuses=statuses,
        may_manage=may_manage,
        page_data={"lang": lang, "statuses": dict(statuses)},
    )
