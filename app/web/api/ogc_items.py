"""OGC API – Features items: /ogc/collections/{hotspots,reports,sites}/items[/{id}].

Items take `bbox` (with `bbox-crs`), `datetime`, `limit`, `offset` and `crs`;
pages link `next` and `prev`. Features come from PostGIS as GeoJSON text and
are passed through untouched.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from app.errors import BadRequest, NotFound
from app.security.access import (
    PendingToken,
    Principal,
    admit,
    require,
    require_in_statement,
    settle,
)
from app.services import ogc as service
from app.services.ogc import Page, PageLinks
from app.web import params
from app.web.api import shapes
from app.web.api.ogc_common import (
    COLLECTIONS,
    GEOJSON,
    crs_of,
    features_html,
    items_query,
    page_href,
    paging_links,
    self_links,
    wants_html,
)
from app.web.deps import DbDep, ReadDbDep, SettingsDep
from app.web.openapi import TEXT, media_doc

router = APIRouter(prefix="/ogc/collections", tags=["OGC API – Features"])

ITEMS_DOC = (
    "GeoJSON FeatureCollection. `bbox` (lower corner, upper corner; CRS84 unless "
    "`bbox-crs`), `datetime` (an instant or an interval `a/b`, `../b`, `a/..`), `limit` "
    "(at most 10000), `offset`, `crs` (CRS84 or EPSG:3006). Follow the `next` link for more "
    "(for `reports` it carries a page key, `after` or `before`, taken as given)."
)
NOT_FOUND = "No feature with that id in this collection."


def _headers(crs: str, staff: bool, stale: bool = False) -> dict[str, str]:
    headers = {
        "Content-Crs": f"<{crs}>",
        "Vary": "Authorization, Cookie, Accept",
        "Cache-Control": "private, no-store" if staff else "public, max-age=30",
    }
    if stale:
        headers["Hotspots-Stale"] = "true"
    return headers


def _items(request: Request, name: str, page: Page, staff: bool) -> Response:
    parsed = items_query(request)
    links = self_links(request, GEOJSON) + paging_links(request, parsed.query, page.more)
    headers = _headers(parsed.crs, staff, page.stale)
    title = f"{COLLECTIONS[name]['title']}: items"
    if wants_html(request):
        return features_html(request, title, orjson.loads(page.features), links)
    body: dict[str, object] = {
        "type": "FeatureCollection",
        "features": orjson.Fragment(page.features),
        "numberReturned": page.returned,
        "timeStamp": _stamp(),
        "links": links,
    }
    if page.matched is not None:
        body["numberMatched"] = page.matched
    return Response(orjson.dumps(body), media_type=GEOJSON, headers=headers)


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _item(request: Request, name: str, feature: str | None, staff: bool) -> Response:
    if feature is None:
        raise NotFound(NOT_FOUND)
    crs = items_query(request).crs
    links = self_links(request, GEOJSON)
    if wants_html(request):
        return features_html(request, COLLECTIONS[name]["title"], [orjson.loads(feature)], links)
    # The feature's own text from PostGIS, with its links added alongside.
    body = orjson.dumps({**orjson.loads(feature), "links": links})
    return Response(body, media_type=GEOJSON, headers=_headers(crs, staff))


def _srid(request: Request) -> int:
    return crs_of(request.query_params.get("crs"), "crs")


@router.get(
    "/hotspots/items",
    summary="Public hotspots",
    responses={
        200: media_doc(
            "Items", {"application/geo+json": shapes.FeatureCollection, "text/html": TEXT}
        )
    },
    description=ITEMS_DOC,
)
async def hotspot_items(
    request: Request, db: DbDep, read: ReadDbDep, settings: SettingsDep
) -> Response:
    page = await service.hotspot_page(db, settings, items_query(request).query, read)
    return _items(request, "hotspots", page, staff=False)


@router.get(
    "/hotspots/items/{feature_id}",
    summary="One public hotspot",
    responses={
        200: media_doc("The item", {"application/geo+json": shapes.Feature, "text/html": TEXT})
    },
)
async def hotspot_item(
    feature_id: str, request: Request, db: DbDep, read: ReadDbDep, settings: SettingsDep
) -> Response:
    wanted = params.path_uuid(feature_id, NOT_FOUND)
    feature = await service.hotspot_item(db, settings, wanted, _srid(request), read)
    return _item(request, "hotspots", feature, staff=False)


@router.get(
    "/reports/items",
    summary="Raw reports (staff, audited)",
    responses={
        200: media_doc(
            "Items", {"application/geo+json": shapes.FeatureCollection, "text/html": TEXT}
        )
    },
    description=ITEMS_DOC,
)
async def report_items(
    request: Request,
    db: DbDep,
    who: Annotated[Principal | PendingToken, require_in_statement("reports:read")],
) -> Response:
    try:
        parsed = items_query(request)
    except BadRequest:
        await settle(request, who)  # 401/403 come before a bad query, as for `require`
        raise
    links = PageLinks(
        orjson.dumps(self_links(request, GEOJSON)).decode(),
        page_href(request, parsed.query),
        _stamp(),
    )
    # The whole body comes from PostGIS (next/prev links included) and goes out as is;
    # with a bearer token the same statement looked the token up (one round trip).
    body, user = await service.report_collection(db, who, parsed.query, links)
    if isinstance(who, PendingToken):
        admit(request, who, user)
    if wants_html(request):
        page = orjson.loads(body)
        title = f"{COLLECTIONS['reports']['title']}: items"
        return features_html(request, title, page["features"], page["links"])
    return Response(body, media_type=GEOJSON, headers=_headers(parsed.crs, staff=True))


@router.get(
    "/reports/items/{feature_id}",
    summary="One raw report (staff, audited)",
    responses={
        200: media_doc("The item", {"application/geo+json": shapes.Feature, "text/html": TEXT})
    },
)
async def report_item(
    feature_id: str,
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require("reports:read")],
) -> Response:
    wanted = params.path_uuid(feature_id, NOT_FOUND)
    feature = await service.report_item(db, principal, wanted, _srid(request))
    return _item(request, "reports", feature, staff=True)


@router.get(
    "/sites/items",
    summary="Redesign sites (staff)",
    responses={
        200: media_doc(
            "Items", {"application/geo+json": shapes.FeatureCollection, "text/html": TEXT}
        )
    },
    description=ITEMS_DOC,
)
async def site_items(
    request: Request, db: DbDep, _: Annotated[Principal, require("sites:read")]
) -> Response:
    page = await service.site_page(db, items_query(request).query)
    return _items(request, "sites", page, staff=True)


@router.get(
    "/sites/items/{feature_id}",
    summary="One redesign site (staff)",
    responses={
        200: media_doc("The item", {"application/geo+json": shapes.Feature, "text/html": TEXT})
    },
)
async def site_item(
    feature_id: str,
    request: Request,
    db: DbDep,
    _: Annotated[Principal, require("sites:read")],
) -> Response:
    wanted = params.path_uuid(feature_id, NOT_FOUND)
    feature = await service.site_item(db, wanted, _srid(request))
    return _item(request, "sites", feature, staff=True)
