"""Viewport data for the staff map (staff only): reports or grid counts, and heat points.

GET /api/v1/map/reports?bbox=...&zoom=... answers markers while at most
`MARKER_LIMIT` reports are in view and grid counts above that, so an answer
stays small at any number of reports. GET /api/v1/map/heat answers heat points
from deduplicated person-places. Both take the hotspot filters (times, days,
reasons, since, until).
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.errors import Unprocessable
from app.repo import map_data as store
from app.security import audit
from app.security.access import Principal, require
from app.web.api.hotspots import FiltersDep
from app.web.deps import DbDep
from app.web.responses import GeoJsonResponse

router = APIRouter(prefix="/api/v1/map", tags=["staff map"])

MARKER_LIMIT = 1000
MAX_ZOOM = 22
PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Authorization, Cookie"}


def _bbox(value: str) -> tuple[float, float, float, float]:
    try:
        parts = tuple(float(p) for p in value.split(","))
    except ValueError as exc:
        raise Unprocessable("bbox: give four numbers min_lon,min_lat,max_lon,max_lat") from exc
    if len(parts) != 4 or not all(math.isfinite(p) for p in parts):
        raise Unprocessable("bbox: give four finite numbers min_lon,min_lat,max_lon,max_lat")
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise Unprocessable(
            "bbox: needs min_lon < max_lon within -180..180 and min_lat < max_lat within -90..90"
        )
    return min_lon, min_lat, max_lon, max_lat


def view_of(
    filters: FiltersDep,
    bbox: Annotated[str, Query(description="min_lon,min_lat,max_lon,max_lat of the map view")],
    zoom: Annotated[int, Query(ge=0, le=MAX_ZOOM, description="The map's zoom level")],
) -> store.View:
    return store.View(
        bbox=_bbox(bbox),
        zoom=zoom,
        times=filters.times,
        days=filters.days,
        reasons=filters.reasons,
        since=filters.since,
        until=filters.until,
    )


ViewDep = Annotated[store.View, Depends(view_of)]


@router.get(
    "/reports",
    summary="Reports in view: points below a threshold, grid counts above it (staff)",
    response_class=GeoJsonResponse,
)
async def reports_in_view(
    view: ViewDep,
    db: DbDep,
    principal: Annotated[Principal, require("reports:read")],
) -> Response:
    """`mode` is `markers` (one Point per report, approved free text included) or `grid`."""
    total = await store.count_in_view(db, view, MARKER_LIMIT)
    if total <= MARKER_LIMIT:
        body = await store.markers_json(db, view, total)
        # Raw reports are personal data: every read is in the audit log.
        await audit.record(
            db,
            principal,
            "reports:map",
            details={"bbox": list(view.bbox), "zoom": view.zoom},
            rows=total,
        )
    else:
        body = await store.grid_json(db, view)
    return GeoJsonResponse(body, headers=PRIVATE)


@router.get("/heat", summary="Heat points from deduplicated person-places (staff)")
async def heat_in_view(
    view: ViewDep,
    db: DbDep,
    principal: Annotated[Principal, require("reports:read")],
) -> Response:
    """`points` are `[lat, lon, people]`; one person's reports within 25 m count once."""
    body = await store.heat_json(db, view)
    return Response(body, media_type="application/json", headers=PRIVATE)
