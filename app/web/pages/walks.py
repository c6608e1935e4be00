"""Safety walk pages: the list, the walk on a phone (works offline), the printed protocol.

The walk page's service worker is served from this folder so its scope
covers the walk pages; it holds nothing but the page's own files.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse, HTMLResponse

from app.security.access import Principal, require_page
from app.services import walks
from app.services.walk_pdf import protocol_pdf
from app.web import params
from app.web.deps import DbDep, SettingsDep
from app.web.render import language, staff_page
from frontend import maps
from frontend.print_map import route_svg
from frontend.templating import STATIC, render
from geo.walks import CHECKLIST, RATINGS

router = APIRouter(prefix="/staff/trygghetsvandring", include_in_schema=False)

Walker = Annotated[Principal, require_page("walks:manage")]


def _terms(lang: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    items = [(t.code, t.en if lang == "en" else t.sv) for t in CHECKLIST]
    ratings = [(t.code, t.en if lang == "en" else t.sv) for t in RATINGS]
    return items, ratings


@router.get("/sw.js")
async def service_worker() -> Response:
    return FileResponse(
        STATIC / "walk-sw.js",
        media_type="text/javascript",
        headers={
            "Cache-Control": "no-cache",
            "Service-Worker-Allowed": "/staff/trygghetsvandring/",
        },
    )


@router.get("", response_class=HTMLResponse)
async def walks_page(request: Request, settings: SettingsDep, _: Walker) -> HTMLResponse:
    return staff_page(
        request, "walks.html", map=maps.staff_map(settings.tile_url, settings.tile_attribution)
    )


@router.get("/{walk_id}", response_class=HTMLResponse)
async def walk_page(walk_id: str, request: Request, db: DbDep, _: Walker) -> HTMLResponse:
    walk = await walks.walk_json(db, params.path_uuid(walk_id, walks.WALK_NOT_FOUND))
    items, ratings = _terms(language(request))
    return staff_page(
        request,
        "walk.html",
        walk=walk,
        items=items,
        ratings=ratings,
        page_data={"walk_id": walk["id"], "items": [c for c, _ in items]},
    )


async def _protocol_html(walk_id: str, request: Request, db: DbDep) -> tuple[str, str]:
    walk = await walks.protocol(db, params.path_uuid(walk_id, walks.WALK_NOT_FOUND))
    lang = language(request)
    items, ratings = _terms(lang)
    geometry = walk["geometry"]
    line = geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"]
    stops = [{"point": s["point"]["coordinates"], "order": s["position"]} for s in walk["stops"]]
    svg = route_svg(line, stops, line[0], line[0])
    page = render(
        lang,
        "walk_protocol.html",
        walk=walk,
        svg=svg,
        items=items,
        ratings=dict(ratings),
        csp_nonce=getattr(request.state, "csp_nonce", ""),
    )
    return page, f"trygghetsvandring-{walk['date']}.pdf"


@router.get("/{walk_id}/protokoll", response_class=HTMLResponse)
async def walk_protocol(walk_id: str, request: Request, db: DbDep, _: Walker) -> HTMLResponse:
    page, _name = await _protocol_html(walk_id, request, db)
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.get("/{walk_id}/protokoll.pdf")
async def walk_protocol_pdf(walk_id: str, request: Request, db: DbDep, _: Walker) -> Response:
    page, filename = await _protocol_html(walk_id, request, db)
    return Response(
        await protocol_pdf(page),
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
