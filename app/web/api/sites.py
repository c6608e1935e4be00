"""Redesign sites for planners: create from a hotspot or a drawing, follow to done.

Every change is kept in the site's history with who and when. A site marked
done gets a before/after evaluation of report rates inside it and around it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from app.db.pool import Row
from app.domain.parsing import midnight
from app.errors import Conflict, NotFound, Unprocessable
from app.repo import sites as store
from app.security import audit
from app.security.access import Principal, require
from app.services import hotspots
from app.services.exports import sites as site_export
from app.services.exports.files import FORMATS
from app.services.exports.sites import collection, feature
from app.web import params
from app.web.api import shapes
from app.web.deps import AreaDep, DbDep, JsonBody, SettingsDep, validate_body
from app.web.openapi import geometry_schema, json_body_doc, model_doc, ref
from app.web.responses import GeoJsonResponse, JsonResponse
from geo.evaluation import compare_rates
from geo.redesign import (
    MEASURE_CODES,
    STATUS_CODES,
    TransitionError,
    check_transition,
    suggest_measures,
)
from geo.validate import GeometryError, check_geometry

router = APIRouter(prefix="/api/v1/sites", tags=["redesign sites"])

Manager = Annotated[Principal, require("sites:manage")]
Reader = Annotated[Principal, require("sites:read")]
NOT_FOUND = "No site with that id."
RING_M = 100.0


class SiteCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    hotspot_id: str | None = Field(None, description="Take this hotspot's outline as the area.")
    geometry: dict[str, Any] | None = Field(
        None,
        description="Or draw the area: a GeoJSON Polygon in [lon, lat] (WGS 84).",
        json_schema_extra=geometry_schema("Polygon", nullable=True),
    )
    measures: list[str] | None = None
    responsible: str | None = Field(None, max_length=200)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    notes: str | None = Field(None, max_length=5000)


class SitePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    status: str | None = None
    measures: list[str] | None = None
    responsible: str | None = Field(None, max_length=200)
    planned_start: dt.date | None = None
    planned_end: dt.date | None = None
    completed_on: dt.date | None = None
    notes: str | None = Field(None, max_length=5000)


def _site_id(raw: str) -> uuid.UUID:
    return params.path_uuid(raw, NOT_FOUND)


def _check_measures(measures: list[str] | None) -> None:
    for code in measures or []:
        if code not in MEASURE_CODES:
            raise Unprocessable(f"measure {code!r} is not one of {', '.join(MEASURE_CODES)}")


def _check_dates(start: dt.date | None, end: dt.date | None) -> None:
    if start and end and end < start:
        raise Unprocessable("planned_end is before planned_start")


@router.get(
    "",
    summary="Redesign sites as a GeoJSON FeatureCollection",
    responses={200: model_doc(shapes.FeatureCollection, "The sites", "application/geo+json")},
)
async def list_sites(
    db: DbDep,
    _: Reader,
    status: Annotated[str | None, Query(description="Only sites with this status")] = None,
) -> Response:
    if status is not None and status not in STATUS_CODES:
        raise Unprocessable(f"status must be one of {', '.join(STATUS_CODES)}")
    return GeoJsonResponse(collection(await store.list_sites(db, status)))


@router.get(
    "/export",
    summary="Download the sites: GeoJSON (RFC 7946), GeoPackage or CSV",
    responses={
        200: {
            "description": "The file",
            "content": {
                "application/geo+json": {"schema": ref(shapes.FeatureCollection)},
                "application/geopackage+sqlite3": {"schema": {"type": "string"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        }
    },
)
async def export_sites(
    db: DbDep,
    principal: Reader,
    format: Annotated[
        str, Query(description="geojson, gpkg (SWEREF 99 TM, EPSG:3006) or csv (WKT, WGS 84)")
    ] = "geojson",
) -> Response:
    if format not in FORMATS:
        raise Unprocessable(f"format must be one of {', '.join(FORMATS)}")
    export = await site_export.build_export(db, format)
    await audit.record(db, principal, "sites:export", details={"format": format}, rows=export.rows)
    return Response(
        export.body,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


@router.post(
    "",
    status_code=201,
    summary="Create a site from a hotspot or a drawn polygon",
    responses={201: model_doc(shapes.Feature, "The new site", "application/geo+json")},
    openapi_extra=json_body_doc(SiteCreate),
)
async def create_site(
    body: JsonBody, db: DbDep, settings: SettingsDep, area: AreaDep, principal: Manager
) -> Response:
    parsed: SiteCreate = validate_body(SiteCreate, body)
    if (parsed.hotspot_id is None) == (parsed.geometry is None):
        raise Unprocessable("give either hotspot_id (its outline is copied) or a geometry")
    _check_measures(parsed.measures)
    _check_dates(parsed.planned_start, parsed.planned_end)
    values: dict[str, Any] = {
        "name": parsed.name.strip(),
        "status": "candidate",
        "responsible": parsed.responsible,
        "planned_start": parsed.planned_start,
        "planned_end": parsed.planned_end,
        "notes": parsed.notes,
    }
    outline: str | None = None
    wkb: bytes | None = None
    if parsed.hotspot_id is not None:
        hotspot = await hotspots.get_hotspot(db, parsed.hotspot_id)
        if hotspot is None:
            raise Unprocessable(f"no current hotspot {parsed.hotspot_id}")
        outline = orjson.dumps(hotspot["geometry"]).decode()
        reasons = {k: int(v) for k, v in (hotspot.get("reasons") or {}).items()}
        values.update(hotspot_id=str(hotspot["id"]), reasons=reasons)
        values["measures"] = (
            parsed.measures if parsed.measures is not None else suggest_measures(reasons)
        )
    else:
        try:
            checked = check_geometry(parsed.geometry, area, settings.max_vertices)
        except GeometryError as exc:
            raise Unprocessable(f"geometry: {exc}") from exc
        if checked.geom_type != "Polygon":
            raise Unprocessable("geometry: a site is an area; draw a Polygon")
        wkb = checked.wkb
        values["measures"] = parsed.measures or []
    site_id = await store.insert_site(
        db,
        values,
        geometry_geojson=outline,
        geometry_wkb=wkb,
        changed_by=principal.user_id,
        changed_by_email=principal.email,
    )
    row = await store.get_site(db, site_id)
    assert row is not None
    return GeoJsonResponse(
        orjson.dumps(feature(row)),
        status_code=201,
        headers={"Location": f"/api/v1/sites/{site_id}"},
    )


async def _load(db: DbDep, raw: str) -> Row:
    row = await store.get_site(db, _site_id(raw))
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


@router.get(
    "/{site_id}",
    summary="One site with its history",
    responses={
        200: model_doc(
            shapes.Feature,
            "The site; `properties.history` lists every change",
            "application/geo+json",
        )
    },
)
async def get_site(site_id: str, db: DbDep, _: Reader) -> Response:
    row = await _load(db, site_id)
    answer = feature(row)
    answer["properties"]["history"] = [
        {
            "changed_at": h["changed_at"],
            "changed_by": h["changed_by_email"],
            "from_status": h["from_status"],
            "to_status": h["to_status"],
            "changes": h["changes"],
        }
        for h in await store.history(db, row["id"])
    ]
    return GeoJsonResponse(orjson.dumps(answer))


@router.patch(
    "/{site_id}",
    summary="Change a site; status moves along the lifecycle",
    openapi_extra=json_body_doc(SitePatch),
    responses={
        200: model_doc(shapes.Feature, "The changed site", "application/geo+json"),
        409: {"description": "That status change is not allowed from the current one"},
    },
)
async def patch_site(site_id: str, body: JsonBody, db: DbDep, principal: Manager) -> Response:
    sid = _site_id(site_id)
    parsed: SitePatch = validate_body(SitePatch, body)
    changes = parsed.model_dump(exclude_unset=True)
    for key in ("name", "status", "measures"):
        if key in changes and changes[key] is None:
            raise Unprocessable(f"{key} cannot be null")
    _check_measures(changes.get("measures"))
    completed_on = changes.get("completed_on")
    if completed_on is not None and completed_on > dt.date.today():
        raise Unprocessable("completed_on is in the future")

    def check(current: Row, wanted: dict[str, Any]) -> None:
        status = str(wanted.get("status", current["status"]))
        try:
            check_transition(current["status"], status)
        except TransitionError as exc:
            raise Conflict(str(exc)) from exc
        start = wanted.get("planned_start", current["planned_start"])
        end = wanted.get("planned_end", current["planned_end"])
        _check_dates(start, end)
        completed = wanted.get("completed_on", current["completed_on"])
        if status == "done" and completed is None:
            raise Unprocessable("a site marked done needs completed_on (YYYY-MM-DD)")

    row = await store.update_site(
        db,
        sid,
        changes,
        changed_by=principal.user_id,
        changed_by_email=principal.email,
        check=check,
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return GeoJsonResponse(orjson.dumps(feature(row)))


async def evaluate(
    db: DbDep, row: Row, today: dt.date, before_days: int | None, after_days: int | None
) -> dict[str, Any]:
    completed: dt.date = row["completed_on"]
    after = after_days if after_days is not None else min(365, (today - completed).days)
    after = max(0, min(after, (today - completed).days))
    # The before period mirrors the after period (same seasons), at least 30 days.
    before = before_days if before_days is not None else min(365, max(after, 30))
    start = completed - dt.timedelta(days=before)
    stop = completed + dt.timedelta(days=after)
    counts = await store.report_counts(
        db,
        row["id"],
        start=midnight(start),
        split=midnight(completed),
        stop=midnight(stop),
        ring_m=RING_M,
    )
    inside = compare_rates(counts["inside_before"], counts["inside_after"], before, after)
    ring = compare_rates(counts["ring_before"], counts["ring_after"], before, after)
    return {
        "site_id": str(row["id"]),
        "completed_on": completed.isoformat(),
        "before": {"from": start.isoformat(), "to": completed.isoformat(), "days": before},
        "after": {"from": completed.isoformat(), "to": stop.isoformat(), "days": after},
        "ring_m": RING_M,
        "inside": inside.as_dict(),
        "ring": ring.as_dict(),
        "note": (
            "Unsafe reports per 30 days inside the outline and in a 100 m ring around it "
            "(displacement), before vs after completion; exact conditional Poisson test."
        ),
    }


@router.delete(
    "/{site_id}",
    status_code=204,
    summary="Delete a site created by mistake (only while it has never left candidate)",
)
async def delete_site(
    site_id: str, db: DbDep, principal: Annotated[Principal, require("sites:delete")]
) -> Response:
    parsed = params.path_uuid(site_id, NOT_FOUND)
    deleted = await store.delete_candidate(db, parsed)
    if deleted is None:
        raise NotFound(NOT_FOUND)
    if not deleted:
        raise Conflict(
            "only a site that has never left candidate can be deleted; set it to rejected instead",
            field="status",
        )
    await audit.record(db, principal, "sites:delete", target=str(parsed))
    return Response(status_code=204)


@router.get(
    "/{site_id}/evaluation",
    summary="Before/after report rates for a done site",
    responses={
        200: model_doc(shapes.SiteEvaluation, "Rates before and after, inside and around"),
        409: {"description": "The site is not marked done yet"},
    },
)
async def site_evaluation(
    site_id: str,
    db: DbDep,
    _: Reader,
    before_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
    after_days: Annotated[int | None, Query(ge=1, le=3650)] = None,
) -> Response:
    row = await _load(db, site_id)
    if row["status"] != "done" or row["completed_on"] is None:
        raise Conflict("the evaluation needs a site marked done with a completion date")
    result = await evaluate(db, row, dt.date.today(), before_days, after_days)
    return JsonResponse(result)
