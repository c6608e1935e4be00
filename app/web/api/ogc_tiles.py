"""OGC API – Tiles with Mapbox Vector Tiles: /ogc/collections/{c}/tiles[/WebMercatorQuad[/z/y/x]].

`/tiles` lists the one tileset; `/tiles/WebMercatorQuad` is its TileJSON
(3.0.0, with the OGC tileset fields alongside); tiles are built by ST_AsMVT.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.errors import NotFound
from app.security.access import Principal, require
from app.services import ogc_tiles as service
from app.web.api import shapes
from app.web.api.ogc_common import COLLECTIONS, JSON, base, json_answer, link
from app.web.deps import AreaDep, DbDep, SettingsDep
from app.web.openapi import BINARY, media_doc

router = APIRouter(prefix="/ogc/collections", tags=["OGC API – Tiles"])

MVT = "application/vnd.mapbox-vector-tile"
TMS = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"
MAX_ZOOM = 22
TEMPLATE = "/tiles/WebMercatorQuad/{z}/{y}/{x}"
FIELDS: dict[str, dict[str, str]] = {
    "hotspots": {"id": "String", "rank": "Number", "score": "Number", "reporters": "Number"},
    "reports": {
        "id": "String (from zoom 15)",
        "created_at": "String (from zoom 15)",
        "status": "String (from zoom 15)",
        "severity": "Number (from zoom 15)",
        "reasons": "String, comma-separated (from zoom 15)",
        "times": "String, comma-separated (from zoom 15)",
        "reports": "Number: reports in the cell (below zoom 15, or over 2000 in the tile)",
        "published": "Number: published reports in the cell (where `reports` is given)",
    },
    "sites": {"id": "String", "name": "String", "status": "String"},
}


def _root(request: Request, name: str) -> str:
    return f"{base(request)}/ogc/collections/{name}"


def _item_link(root: str) -> dict[str, Any]:
    href = root + "/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}"
    return {"href": href, "rel": "item", "type": MVT, "templated": True}


def _tilesets(request: Request, name: str) -> Response:
    root = _root(request, name)
    tileset = {
        "title": f"{COLLECTIONS[name]['title']} in WebMercatorQuad",
        "tileMatrixSetURI": TMS,
        "dataType": "vector",
        "crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        "links": [
            link(root + "/tiles/WebMercatorQuad", "self", JSON, "TileJSON"),
            _item_link(root),
        ],
    }
    return json_answer({"tilesets": [tileset], "links": [link(root + "/tiles", "self", JSON)]})


def _tilejson(request: Request, area: Any, name: str) -> Response:
    root = _root(request, name)
    w, s, e, n = area.polygon.bounds
    doc = {
        "tilejson": "3.0.0",
        "name": name,
        "description": COLLECTIONS[name]["description"],
        "scheme": "xyz",
        "tiles": [root + TEMPLATE],
        "minzoom": 0,
        "maxzoom": MAX_ZOOM,
        "bounds": [w, s, e, n],
        "center": [(w + e) / 2, (s + n) / 2, 14],
        "vector_layers": [{"id": name, "fields": FIELDS[name], "minzoom": 0, "maxzoom": MAX_ZOOM}],
        "tileMatrixSetURI": TMS,
        "dataType": "vector",
        "links": [
            link(root + "/tiles/WebMercatorQuad", "self", JSON),
            _item_link(root),
        ],
    }
    return json_answer(doc)


def _tile_of(z: str, y: str, x: str) -> tuple[int, int, int]:
    """Zoom, column, row; anything outside the tile matrix is simply not there.

    The column may end in `.mvt` or `.pbf`: GDAL's MVT driver reads a single
    tile over HTTP only when its URL ends so.
    """
    x = x.removesuffix(".mvt").removesuffix(".pbf")
    try:
        zoom, row, col = int(z), int(y), int(x)
    except ValueError as exc:
        raise NotFound("no such tile") from exc
    if not 0 <= zoom <= MAX_ZOOM or not (0 <= row < 2**zoom and 0 <= col < 2**zoom):
        raise NotFound("no such tile: outside the WebMercatorQuad tile matrix")
    return zoom, col, row


def _mvt(body: bytes, staff: bool) -> Response:
    cache = "private, no-store" if staff else "public, max-age=30"
    return Response(
        body, media_type=MVT, headers={"Cache-Control": cache, "Vary": "Authorization, Cookie"}
    )


# --- hotspots (public) -----------------------------------------------------------


@router.get(
    "/hotspots/tiles",
    summary="Tilesets of the public hotspots",
    responses={200: media_doc("Tilesets", {"application/json": shapes.TileSets})},
)
async def hotspot_tilesets(request: Request) -> Response:
    return _tilesets(request, "hotspots")


@router.get(
    "/hotspots/tiles/WebMercatorQuad",
    summary="TileJSON of the public hotspots",
    responses={200: media_doc("TileJSON", {"application/json": shapes.TileJson})},
)
async def hotspot_tilejson(request: Request, area: AreaDep) -> Response:
    return _tilejson(request, area, "hotspots")


@router.get(
    "/hotspots/tiles/WebMercatorQuad/{z}/{y}/{x}",
    summary="A hotspots tile (MVT)",
    responses={
        200: media_doc("A Mapbox Vector Tile", {"application/vnd.mapbox-vector-tile": BINARY})
    },
)
async def hotspot_tile(z: str, y: str, x: str, db: DbDep, settings: SettingsDep) -> Response:
    zoom, col, row = _tile_of(z, y, x)
    return _mvt(await service.hotspot_tile(db, settings, zoom, col, row), staff=False)


# --- reports (staff) -------------------------------------------------------------


@router.get(
    "/reports/tiles",
    summary="Tilesets of the staff reports",
    responses={200: media_doc("Tilesets", {"application/json": shapes.TileSets})},
)
async def report_tilesets(
    request: Request, _: Annotated[Principal, require("reports:read")]
) -> Response:
    return _tilesets(request, "reports")


@router.get(
    "/reports/tiles/WebMercatorQuad",
    summary="TileJSON of the staff reports",
    responses={200: media_doc("TileJSON", {"application/json": shapes.TileJson})},
)
async def report_tilejson(
    request: Request, area: AreaDep, _: Annotated[Principal, require("reports:read")]
) -> Response:
    return _tilejson(request, area, "reports")


@router.get(
    "/reports/tiles/WebMercatorQuad/{z}/{y}/{x}",
    summary="A reports tile (MVT): counts per cell below zoom 15 (or when dense), else points",
    responses={
        200: media_doc("A Mapbox Vector Tile", {"application/vnd.mapbox-vector-tile": BINARY})
    },
)
async def report_tile(
    z: str,
    y: str,
    x: str,
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require("reports:read")],
) -> Response:
    zoom, col, row = _tile_of(z, y, x)
    seen = request.headers.get("if-none-match")
    tile = await service.report_tile(db, principal, zoom, col, row, seen)
    if tile.etag is None:
        return _mvt(tile.body, staff=True)
    # Counts per cell: the browser may keep them, asking again whether the grid changed.
    headers = {"Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
    headers["ETag"] = tile.etag
    if tile.unchanged:
        return Response(status_code=304, headers=headers)
    return Response(tile.body, media_type=MVT, headers=headers)


# --- sites (staff) ---------------------------------------------------------------


@router.get(
    "/sites/tiles",
    summary="Tilesets of the redesign sites",
    responses={200: media_doc("Tilesets", {"application/json": shapes.TileSets})},
)
async def site_tilesets(
    request: Request, _: Annotated[Principal, require("sites:read")]
) -> Response:
    return _tilesets(request, "sites")


@router.get(
    "/sites/tiles/WebMercatorQuad",
    summary="TileJSON of the redesign sites",
    responses={200: media_doc("TileJSON", {"application/json": shapes.TileJson})},
)
async def site_tilejson(
    request: Request, area: AreaDep, _: Annotated[Principal, require("sites:read")]
) -> Response:
    return _tilejson(request, area, "sites")


@router.get(
    "/sites/tiles/WebMercatorQuad/{z}/{y}/{x}",
    summary="A sites tile (MVT)",
    responses={
        200: media_doc("A Mapbox Vector Tile", {"application/vnd.mapbox-vector-tile": BINARY})
    },
)
async def site_tile(
    z: str, y: str, x: str, db: DbDep, _: Annotated[Principal, require("sites:read")]
) -> Response:
    zoom, col, row = _tile_of(z, y, x)
    return _mvt(await service.site_tile(db, zoom, col, row), staff=True)
