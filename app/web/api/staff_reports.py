"""GET /api/v1/reports and /api/v1/reports/{id}: raw reports, for police and planners.

Every read is audited with its filters and row count. Free text appears only
after a moderator approved (or redacted) it; demographics and reporter hashes
never appear, not even to staff (they are only ever shown in aggregates).

A resident who sends their receipt in `X-Receipt` to GET /api/v1/reports/{id}
sees their own report's status and moderation state, and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Depends, Header, Query, Request, Response

from app.domain.filters import ReportFilter
from app.domain.parsing import GEOMETRIES
from app.errors import NotFound
from app.repo import moderation as store
from app.repo import reports as report_store
from app.security import audit
from app.security.access import ANONYMOUS, Principal, PrincipalDep, RoleCheck, require
from app.security.keyed import receipt_hash, same
from app.web import params
from app.web.api import shapes
from app.web.deps import DbDep, SettingsDep
from app.web.openapi import model_doc
from app.web.responses import GeoJsonResponse, JsonResponse
from geo.vocabulary import DAY_CODES, REASON_CODES, STATUSES, TIME_CODES

router = APIRouter(prefix="/api/v1/reports", tags=["reports (staff)"])

MAX_LIMIT = 1000
NOT_FOUND = "No report with that id."
OWN_NOT_FOUND = "No report with that id and receipt."


class StaffOrReceipt(RoleCheck):
    """`require("reports:read")`, unless the request carries a resident's `X-Receipt`."""

    async def __call__(self, request: Request, principal: PrincipalDep) -> Principal:
        if request.headers.get("x-receipt") is not None:
            return ANONYMOUS  # the route answers only what the receipt opens
        return await super().__call__(request, principal)


def build_filter(
    request: Request,
    bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat (WGS 84)")] = None,
    since: Annotated[
        str | None, Query(description="Made at or after (a date: from its Swedish midnight)")
    ] = None,
    until: Annotated[
        str | None, Query(description="Made before (a date: through that day)")
    ] = None,
    reasons: Annotated[str | None, Query(description="Comma-separated reason codes (any)")] = None,
    times: Annotated[str | None, Query(description="Comma-separated times of day (any)")] = None,
    days: Annotated[str | None, Query(description="weekday and/or weekend (any)")] = None,
    status: Annotated[
        str | None, Query(description="published and/or hidden; default both")
    ] = None,
) -> ReportFilter:
    start, stop = params.period(since, until)
    return ReportFilter(
        bbox=params.bbox(bbox, area=request.app.state.area),
        since=start,
        until=stop,
        reasons=params.codes("reasons", reasons, REASON_CODES),
        times=params.codes("times", times, TIME_CODES),
        days=params.codes("days", days, DAY_CODES),
        status=params.codes("status", status, STATUSES),
    )


def _feature(row: dict[str, Any]) -> dict[str, Any]:
    geometry = row.pop("geometry")
    report_id = str(row["id"])
    props = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
    props["id"] = report_id
    return {
        "type": "Feature",
        "id": report_id,
        "geometry": orjson.Fragment(geometry),
        "properties": props,
    }


@router.get(
    "",
    summary="Raw reports with filters and paging (police, planners)",
    responses={
        200: model_doc(
            shapes.FeatureCollection, "Reports, newest first, with `links`", "application/geo+json"
        )
    },
    response_class=GeoJsonResponse,
)
async def list_reports(
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require("reports:read")],
    wanted: Annotated[ReportFilter, Depends(build_filter)],
    geometry: Annotated[
        str | None,
        Query(
            description=(
                "Only one geometry type, for one GIS layer: point, line or area "
                "(Point, LineString or Polygon); default all three"
            ),
            json_schema_extra={"enum": list(GEOMETRIES)},
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> GeoJsonResponse:
    """A GeoJSON FeatureCollection, newest first; follow the `next` link for more."""
    kind = params.choice("geometry", geometry, GEOMETRIES)
    rows = await store.staff_reports(db, wanted, limit=limit + 1, offset=offset, geometry=kind)
    more = len(rows) > limit
    rows = rows[:limit]
    await audit.record(
        db,
        principal,
        "reports:read",
        details={
            **wanted.describe(),
            **({"geometry": kind} if kind else {}),
            "limit": limit,
            "offset": offset,
        },
        rows=len(rows),
    )
    query_args = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit")}
    links = [{"rel": "self", "href": str(request.url)}]
    if more:
        query = urlencode({**query_args, "limit": limit, "offset": offset + limit})
        links.append(
            {"rel": "next", "href": f"{request.url.path}?{query}", "type": "application/geo+json"}
        )
    body = {
        "type": "FeatureCollection",
        "features": [_feature(dict(r)) for r in rows],
        "numberReturned": len(rows),
        "links": links,
    }
    headers = {}
    if more:
        headers["Link"] = f'<{links[-1]["href"]}>; rel="next"'
    return GeoJsonResponse(body, headers=headers)


@router.get(
    "/{report_id}",
    summary="One raw report (police, planners), or your own report's status (X-Receipt)",
    response_class=GeoJsonResponse,
    responses={
        200: model_doc(shapes.Feature, "The report", "application/geo+json"),
        404: {"description": "No such report"},
    },
)
async def get_report(
    report_id: str,
    db: DbDep,
    settings: SettingsDep,
    principal: Annotated[Principal, Depends(StaffOrReceipt("reports:read"))],
    x_receipt: Annotated[
        str | None,
        Header(description="A resident's receipt code: answers only status and moderation"),
    ] = None,
) -> Response:
    """Staff: the raw report (audited). A resident with `X-Receipt`: `{id, status, moderation}`."""
    if x_receipt is not None:
        return await _own_report(db, settings.key, report_id, x_receipt)
    row = await store.staff_report(db, params.path_uuid(report_id, NOT_FOUND))
    await audit.record(
        db, principal, "reports:read", target=report_id, rows=0 if row is None else 1
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return GeoJsonResponse(_feature(dict(row)))


async def _own_report(db: Any, key: bytes, report_id: str, receipt: str) -> JsonResponse:
    """The resident's view; a wrong receipt answers exactly like an unknown id."""
    row = await report_store.resident_view(db, params.path_uuid(report_id, OWN_NOT_FOUND))
    if row is None or not same(row["receipt_hash"], receipt_hash(key, receipt.strip())):
        raise NotFound(OWN_NOT_FOUND)
    body = {"id": str(row["id"]), "status": row["status"], "moderation": row["text_status"]}
    return JsonResponse(body, headers={"Cache-Control": "private, no-store"})
