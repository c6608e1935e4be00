"""Viewport data for the staff map (staff only): reports or grid counts, and heat points.

GET /api/v1/map/reports?bbox=...&zoom=... answers markers while at most
`MARKER_LIMIT` reports are in view and grid counts above that, so an answer
stays small at any number of reports. GET /api/v1/map/heat answers heat points
from deduplicated person-places. Both take the hotspot filters (times, days,
reasons, since, until).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from app.domain.filters import ReportFilter
from app.errors import Unprocessable
from app.repo import map_data as store
from app.repo import map_heat as heat
from app.security import audit
from app.security.access import Principal, require
from app.web.api import shapes
from app.web.deps import DbDep
from app.web.filters import FiltersDep
from app.web.openapi import model_doc
from app.web.responses import GeoJsonResponse

router = APIRouter(prefix="/api/v1/map", tags=["staff map"])

MARKER_LIMIT = 1000
MAX_ZOOM = 22
PRIVATE = {"Cache-Control": "private, no-store", "Vary": "Authorization, Cookie"}


def map_filters(
    filters: FiltersDep,
    bbox: Annotated[str, Query(description="min_lon,min_lat,max_lon,max_lat of the map view")],
) -> ReportFilter:
    """The hotspot filters, whose `bbox` (parsed there) the map view must give."""
    if filters.bbox is None:
        raise Unprocessable("bbox: give four numbers min_lon,min_lat,max_lon,max_lat")
    return filters


MapFiltersDep = Annotated[ReportFilter, Depends(map_filters)]
ZoomDep = Annotated[int, Query(ge=0, le=MAX_ZOOM, description="The map's zoom level")]


@router.get(
    "/reports",
    summary="Reports in view: points below a threshold, grid counts above it (staff)",
    responses={
        200: model_doc(shapes.FeatureCollection, "Markers or grid cells", "application/geo+json")
    },
    response_class=GeoJsonResponse,
)
async def reports_in_view(
    filters: MapFiltersDep,
    zoom: ZoomDep,
    db: DbDep,
    principal: Annotated[Principal, require("reports:read")],
) -> Response:
    """`mode` is `markers` (one Point per report, approved free text included) or `grid`."""
    total = await store.count_in_view(db, filters, MARKER_LIMIT)
    if total <= MARKER_LIMIT:
        body = await store.markers_json(db, filters, total)
        # Raw reports are personal data: every read is in the audit log.
        await audit.record(
            db,
            principal,
            "reports:map",
            details={"bbox": list(filters.bbox or ()), "zoom": zoom},
            rows=total,
        )
    else:
        body = await store.grid_json(db, filters, zoom)
    return GeoJsonResponse(body, headers=PRIVATE)


@router.get(
    "/heat",
    summary="Heat points from deduplicated person-places (staff)",
    responses={200: model_doc(shapes.HeatPoints, "Heat points")},
)
async def heat_in_view(
    filters: MapFiltersDep,
    zoom: ZoomDep,
    db: DbDep,
    principal: Annotated[Principal, require("reports:read")],
) -> Response:
    """`points` are `[lon, lat, people]`; a person's reports within 25 m count once."""
    # From the kept grids unless the filters need the reports (app.repo.map_heat says which).
    body = await heat.heat_json(db, filters, zoom)
    return Response(body, media_type="application/json", headers=PRIVATE)
