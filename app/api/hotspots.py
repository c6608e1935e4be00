"""GET /api/v1/hotspots: ranked hotspots (public or staff view) and planners' exports."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import orjson
from fastapi import APIRouter, Depends, Query, Response

from app.api.deps import DbDep, SettingsDep
from app.db import Database
from app.errors import NotFound, Unprocessable
from app.exports import FORMATS, build_export
from app.responses import GeoJsonResponse
from app.security import audit
from app.security.access import Principal, PrincipalDep, require
from app.settings import Settings
from app.store import hotspots as store
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES

router = APIRouter(prefix="/api/v1/hotspots", tags=["hotspots"])

LOCAL_TZ = ZoneInfo("Europe/Stockholm")
STALE_HEADER = "Hotspots-Stale"


def _codes(name: str, values: list[str] | None, allowed: tuple[str, ...]) -> tuple[str, ...]:
    """Codes from repeated and/or comma-separated parameters, each checked."""
    if not values:
        return ()
    out: set[str] = set()
    for value in values:
        for code in value.split(","):
            code = code.strip()
            if not code:
                continue
            if code not in allowed:
                raise Unprocessable(f"{name}: '{code}' is not one of {', '.join(allowed)}")
            out.add(code)
    return tuple(sorted(out))


def _moment(name: str, value: str | None, *, end: bool) -> datetime | None:
    """An ISO date or date-time; a date alone is a whole day in Swedish time."""
    if value is None or value == "":
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            if end:  # `until` a date includes that whole day
                day += timedelta(days=1)
            return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Unprocessable(
            f"{name}: '{value}' is not a date (2026-05-01) or date-time (2026-05-01T20:00:00+02:00)"
        ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(UTC)


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None or value == "":
        return None
    parts = value.split(",")
    message = (
        "bbox: give four numbers min_lon,min_lat,max_lon,max_lat in WGS 84, "
        "e.g. 12.30,58.37,12.34,58.39"
    )
    if len(parts) != 4:
        raise Unprocessable(message)
    try:
        numbers = [float(p) for p in parts]
    except ValueError as exc:
        raise Unprocessable(message) from exc
    if not all(math.isfinite(n) for n in numbers):
        raise Unprocessable(message)
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise Unprocessable("bbox: longitudes must lie between -180 and 180")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise Unprocessable("bbox: latitudes must lie between -90 and 90 (lon,lat order)")
    if min_lon >= max_lon or min_lat >= max_lat:
        raise Unprocessable("bbox: the minimum must be below the maximum (min_lon,min_lat,...)")
    return (min_lon, min_lat, max_lon, max_lat)


def hotspot_filters(
    times: Annotated[
        list[str] | None,
        Query(description="Time of day: morning, day, evening, night (repeat or comma-separate)"),
    ] = None,
    days: Annotated[list[str] | None, Query(description="weekday, weekend")] = None,
    reasons: Annotated[list[str] | None, Query(description="Reason codes, e.g. lighting")] = None,
    since: Annotated[
        str | None, Query(description="Reports made on or after this date or date-time")
    ] = None,
    until: Annotated[
        str | None, Query(description="Reports made before this date-time (a date: to its end)")
    ] = None,
    bbox: Annotated[
        str | None, Query(description="min_lon,min_lat,max_lon,max_lat: hotspots touching it")
    ] = None,
) -> store.HotspotFilters:
    start = _moment("since", since, end=False)
    stop = _moment("until", until, end=True)
    if start and stop and start >= stop:
        raise Unprocessable("since must be before until")
    return store.HotspotFilters(
        times=_codes("times", times, TIME_CODES),
        days=_codes("days", days, DAY_CODES),
        reasons=_codes("reasons", reasons, REASON_CODES),
        since=start,
        until=stop,
        bbox=_bbox(bbox),
    )


FiltersDep = Annotated[store.HotspotFilters, Depends(hotspot_filters)]


def _is_staff(principal: Principal) -> bool:
    return principal.is_staff and principal.may("hotspots:detail")


async def _run(
    db: Database, settings: Settings, filters: store.HotspotFilters
) -> tuple[dict[str, Any] | None, bool]:
    ctx = store.context_of(settings)
    return await store.current_run(db, ctx, filters, settings.hotspot_wait_seconds)


def _headers(staff: bool, stale: bool) -> dict[str, str]:
    headers = {"Vary": "Authorization, Cookie"}
    headers["Cache-Control"] = "private, no-store" if staff else "public, max-age=30"
    if stale:
        headers[STALE_HEADER] = "true"
    return headers


@router.get(
    "",
    summary="Ranked hotspots (public view, or every hotspot and detail for staff)",
    response_class=GeoJsonResponse,
    responses={
        200: {"content": {"application/geo+json": {}}},
        422: {"description": "A filter is not valid; `detail` says which and why"},
    },
)
async def list_hotspots(
    db: DbDep, settings: SettingsDep, filters: FiltersDep, principal: PrincipalDep
) -> Response:
    """A FeatureCollection ranked by score; each Feature's `id` is the stable hotspot id.

    Without login only hotspots with at least `public_min_reporters` distinct
    people are shown, with counts below that threshold left out.
    """
    staff = _is_staff(principal)
    run, stale = await _run(db, settings, filters)
    if run is None:
        body = '{"type": "FeatureCollection", "features": []}'
    else:
        body = await store.collection_json(
            db,
            int(run["id"]),
            filters,
            public=not staff,
            public_min=settings.public_min_reporters,
        )
    return GeoJsonResponse(body, headers=_headers(staff, stale))


@router.get(
    "/export",
    summary="Download hotspots as GeoJSON, GeoPackage (EPSG:3006) or CSV (staff)",
    responses={
        200: {
            "content": {
                "application/geo+json": {},
                "application/geopackage+sqlite3": {},
                "text/csv": {},
            }
        },
        401: {"description": "Not logged in"},
        403: {"description": "Your roles do not allow exports"},
    },
)
async def export_hotspots(
    db: DbDep,
    settings: SettingsDep,
    filters: FiltersDep,
    principal: Annotated[Principal, require("hotspots:export")],
    format: Annotated[str, Query(description="geojson, gpkg or csv")] = "geojson",
) -> Response:
    if format not in FORMATS:
        raise Unprocessable(f"format: '{format}' is not one of {', '.join(FORMATS)}")
    run, stale = await _run(db, settings, filters)
    if run is None:
        raise NotFound("no hotspot result yet; try again shortly")
    export = await build_export(db, int(run["id"]), filters, format)
    await audit.record(
        db,
        principal,
        "hotspots:export",
        target=format,
        details={"format": format, "filters": filters.describe(), "run": int(run["id"])},
        rows=export.rows,
    )
    headers = {
        "Content-Disposition": f'attachment; filename="{export.filename}"',
        "Cache-Control": "private, no-store",
        # Which filters made this file (the GeoPackage also keeps them as layer metadata).
        "Hotspots-Filters": orjson.dumps(filters.describe()).decode(),
    }
    if stale:
        headers[STALE_HEADER] = "true"
    return Response(export.body, media_type=export.media_type, headers=headers)


@router.get(
    "/{hotspot_id}",
    summary="One hotspot of the current result",
    response_class=GeoJsonResponse,
    responses={404: {"description": "No such hotspot in the current result"}},
)
async def get_hotspot(
    hotspot_id: str, db: DbDep, settings: SettingsDep, principal: PrincipalDep
) -> Response:
    try:
        wanted = uuid.UUID(hotspot_id)
    except ValueError as exc:
        raise NotFound("no hotspot with that id") from exc
    staff = _is_staff(principal)
    run, stale = await _run(db, settings, store.HotspotFilters())
    feature = None
    if run is not None:
        feature = await store.feature_of(
            db,
            int(run["id"]),
            wanted,
            public=not staff,
            public_min=settings.public_min_reporters,
        )
    if feature is None:
        raise NotFound("no hotspot with that id in the current result")
    return GeoJsonResponse(feature, headers=_headers(staff, stale))
