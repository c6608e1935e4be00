"""GET /api/v1/reports and /api/v1/reports/{id}: raw reports, for police and planners.

Every read is audited with its filters and row count. Free text appears only
after a moderator approved (or redacted) it; demographics and reporter hashes
never appear, not even to staff (they are only ever shown in aggregates).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Query, Request

from app.errors import BadRequest, NotFound
from app.repo import moderation as store
from app.security import audit
from app.security.access import Principal, require
from app.web.deps import DbDep
from app.web.responses import GeoJsonResponse
from geo.vocabulary import DAY_CODES, REASON_CODES, STATUSES, TIME_CODES

router = APIRouter(prefix="/api/v1/reports", tags=["reports (staff)"])

MAX_LIMIT = 1000
NOT_FOUND = "No report with that id."


def _codes(raw: str | None, allowed: tuple[str, ...], name: str) -> list[str] | None:
    if raw is None or not raw.strip():
        return None
    values = [v.strip() for v in raw.split(",") if v.strip()]
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise BadRequest(f"{name}: unknown {', '.join(unknown)}; allowed: {', '.join(allowed)}")
    return values


def _instant(raw: str | None, name: str, end: bool = False) -> datetime | None:
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), time.min, tzinfo=UTC)
            # `until=2026-05-31` means through the end of that day.
            return moment + timedelta(days=1) if end else moment
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"{name}: use a date (2026-05-01) or ISO 8601 time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    if raw is None or not raw.strip():
        return None
    try:
        parts = [float(p) for p in raw.split(",")]
    except ValueError as exc:
        raise BadRequest("bbox: four numbers minLon,minLat,maxLon,maxLat") from exc
    if len(parts) != 4:
        raise BadRequest("bbox: four numbers minLon,minLat,maxLon,maxLat")
    west, south, east, north = parts
    if not all(abs(v) <= 180 for v in parts) or abs(south) > 90 or abs(north) > 90:
        raise BadRequest("bbox: longitudes within ±180, latitudes within ±90")
    if west > east or south > north:
        raise BadRequest("bbox: min must not be greater than max (minLon,minLat,maxLon,maxLat)")
    return west, south, east, north


@dataclass(frozen=True)
class ReportFilter:
    bbox: tuple[float, float, float, float] | None
    since: datetime | None
    until: datetime | None
    reasons: list[str] | None
    times: list[str] | None
    days: list[str] | None
    status: list[str] | None

    def as_details(self) -> dict[str, Any]:
        return {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in self.__dict__.items()
            if v is not None
        }


def build_filter(
    bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat (WGS 84)")] = None,
    since: Annotated[str | None, Query(description="Made at or after (date or ISO time)")] = None,
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
    return ReportFilter(
        bbox=_bbox(bbox),
        since=_instant(since, "since"),
        until=_instant(until, "until", end=True),
        reasons=_codes(reasons, REASON_CODES, "reasons"),
        times=_codes(times, TIME_CODES, "times"),
        days=_codes(days, DAY_CODES, "days"),
        status=_codes(status, STATUSES, "status"),
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
    response_class=GeoJsonResponse,
)
async def list_reports(
    request: Request,
    db: DbDep,
    principal: Annotated[Principal, require("reports:read")],
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    bbox: Annotated[str | None, Query(description="minLon,minLat,maxLon,maxLat")] = None,
    since: Annotated[str | None, Query(description="Made at or after (date or ISO time)")] = None,
    until: Annotated[str | None, Query(description="Made before (a date: through it)")] = None,
    reasons: Annotated[str | None, Query(description="Comma-separated reason codes")] = None,
    times: Annotated[str | None, Query(description="Comma-separated times of day")] = None,
    days: Annotated[str | None, Query(description="weekday and/or weekend")] = None,
    status: Annotated[str | None, Query(description="published and/or hidden")] = None,
) -> GeoJsonResponse:
    """A GeoJSON FeatureCollection, newest first; follow the `next` link for more."""
    wanted = build_filter(bbox, since, until, reasons, times, days, status)
    rows = await store.staff_reports(db, wanted, limit=limit + 1, offset=offset)
    more = len(rows) > limit
    rows = rows[:limit]
    await audit.record(
        db,
        principal,
        "reports:read",
        details={**wanted.as_details(), "limit": limit, "offset": offset},
        rows=len(rows),
    )
    params = {k: v for k, v in request.query_params.items() if k not in ("offset", "limit")}
    links = [{"rel": "self", "href": str(request.url)}]
    if more:
        query = urlencode({**params, "limit": limit, "offset": offset + limit})
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
    summary="One raw report (police, planners)",
    response_class=GeoJsonResponse,
    responses={404: {"description": "No such report"}},
)
async def get_report(
    report_id: str,
    db: DbDep,
    principal: Annotated[Principal, require("reports:read")],
) -> GeoJsonResponse:
    try:
        parsed = uuid.UUID(report_id)
    except ValueError as exc:
        raise NotFound(NOT_FOUND) from exc
    row = await store.staff_report(db, parsed)
    await audit.record(
        db, principal, "reports:read", target=report_id, rows=0 if row is None else 1
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return GeoJsonResponse(_feature(dict(row)))
