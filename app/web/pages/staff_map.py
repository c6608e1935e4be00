"""GET /staff/karta: hotspots, heat and clustered reports for police and planners."""

from __future__ import annotations

from functools import partial
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.security.access import Principal, require_page
from app.web.deps import SettingsDep
from app.web.pages.public import map_config
from app.web.render import language
from frontend import maps, strings
from frontend.templating import gettext, render
from geo.patrol import DAY_NAMES, WEEKDAY_CODES

router = APIRouter(prefix="/staff", include_in_schema=False)


@router.get("/karta", response_class=HTMLResponse)
async def staff_map_page(
    request: Request,
    settings: SettingsDep,
    principal: Annotated[Principal, require_page("reports:read")],
) -> HTMLResponse:
    lang = language(request)
    config = map_config(settings, lang)
    config["strings"].update(strings.staff_strings(partial(gettext, lang)))
    html = render(
        lang,
        "staff/karta.html",
        csp_nonce=getattr(request.state, "csp_nonce", ""),
        csrf_token=getattr(request.state, "csrf_token", None),
        principal=principal,
        page="staff-karta",
        map=maps.staff_map(settings.tile_url, settings.tile_attribution),
        vocab=config["vocab"],
        page_data=config,
        patrol_days=[
            (code, name.capitalize())
            for code, name in zip(WEEKDAY_CODES, DAY_NAMES[lang], strict=True)
        ],
    )
    # Staff pages hold personal data: never cache them.
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})
