"""Patrol plans for police: POST a shift window, get an ordered walking route.

`GET /api/v1/patrol-plans/{id}` answers JSON; `.geojson` and `.csv` (the stops,
or with `?layer=route` the route), `.gpkg` (both layers), `.gpx` (GPX 1.1) and
`/print` (an A4 page) are the same plan for other uses.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from app.errors import Conflict, NotFound, Unprocessable
from app.repo import patrols as store
from app.security import audit
from app.security.access import Principal, require
from app.services.exports import patrols as patrol_export
from app.services.exports.files import Export
from app.services.planning import PlanInput, build_plan
from app.web import params
from app.web.api import shapes
from app.web.deps import AreaDep, DbDep, JsonBody, SettingsDep, validate_body
from app.web.openapi import BINARY, TEXT, WINDOW_SCHEMA, json_body_doc, media_doc, model_doc
from app.web.render import language
from app.web.responses import JsonResponse
from frontend import staff_texts
from frontend.print_map import route_svg
from frontend.templating import gettext, number, render
from geo.patrol import WindowError, parse_window

router = APIRouter(prefix="/api/v1/patrol-plans", tags=["patrol plans"])

PlanUser = Annotated[Principal, require("patrol:plan")]
NOT_FOUND = "No patrol plan with that id."
RUN_NOT_FOUND = "No recorded patrol with that id in this plan."
UNDO_HOURS = 24

LonLat = Annotated[list[float], Field(min_length=2, max_length=2)]


class PlanBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    window: dict[str, Any] = Field(
        description='Shift window, e.g. {"days": ["fri", "sat"], "start": "20:00", '
        '"end": "02:00"}; may pass midnight.',
        json_schema_extra=WINDOW_SCHEMA,
    )
    top: int | None = Field(None, ge=1, le=200, description="Take the best N for the window.")
    hotspot_ids: list[str] | None = Field(
        None, min_length=1, max_length=200, description="Visit these hotspots instead."
    )
    visit_minutes: float | None = Field(None, ge=0, le=120)
    time_budget_minutes: float | None = Field(None, gt=0, le=24 * 60)
    start: LonLat | None = Field(None, description="[lon, lat]; default: the station.")
    end: LonLat | None = Field(None, description="[lon, lat]; default: the start.")
    seed: int | None = Field(None, description="Vary the order among near-equal routes.")


class RunBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    carried_out_on: dt.date
    hotspot_ids: list[str] | None = Field(None, description="Default: every stop of the plan.")
    note: str | None = Field(None, max_length=2000)


def _plan_id(raw: str) -> uuid.UUID:
    return params.path_uuid(raw, NOT_FOUND)


def _links(plan_id: uuid.UUID) -> dict[str, str]:
    base = f"/api/v1/patrol-plans/{plan_id}"
    return {
        "self": base,
        "geojson": base + ".geojson",
        "geojson_route": base + ".geojson?layer=route",
        "gpx": base + ".gpx",
        "gpkg": base + ".gpkg",
        "csv": base + ".csv",
        "csv_route": base + ".csv?layer=route",
        "print": base + "/print",
        "runs": base + "/runs",
    }


@router.post(
    "",
    status_code=201,
    summary="Plan a patrol for a shift window",
    responses={
        201: model_doc(shapes.PatrolPlan, "The plan, stored; `links` lead to its other forms")
    },
    openapi_extra=json_body_doc(PlanBody),
)
async def create_plan(
    body: JsonBody,
    db: DbDep,
    settings: SettingsDep,
    area: AreaDep,
    principal: PlanUser,
) -> Response:
    parsed: PlanBody = validate_body(PlanBody, body)
    try:
        window = parse_window(parsed.window)
    except WindowError as exc:
        raise Unprocessable(str(exc)) from exc
    if parsed.top is not None and parsed.hotspot_ids is not None:
        raise Unprocessable("give either top or hotspot_ids, not both")
    station = (settings.patrol_station_lon, settings.patrol_station_lat)
    start = (parsed.start[0], parsed.start[1]) if parsed.start else station
    end = (parsed.end[0], parsed.end[1]) if parsed.end else start
    for name, (lon, lat) in (("start", start), ("end", end)):
        if not area.contains_xy(lon, lat):
            hint = (
                "; it would be inside with longitude and latitude swapped: give [lon, lat]"
                if area.contains_xy(lat, lon)
                else ""
            )
            raise Unprocessable(f"{name}: [{lon}, {lat}] is outside the service area{hint}")
    plan_input = PlanInput(
        window=window,
        start=start,
        end=end,
        visit_minutes=(
            settings.patrol_visit_minutes if parsed.visit_minutes is None else parsed.visit_minutes
        ),
        time_budget_minutes=parsed.time_budget_minutes or window.minutes,
        top=parsed.top,
        hotspot_ids=parsed.hotspot_ids,
        seed=parsed.seed,
    )
    built = await build_plan(db, settings, plan_input)
    plan_id = uuid.uuid4()
    plan = {"id": str(plan_id), **built.body}
    await store.insert_plan(
        db,
        plan_id,
        request=parsed.model_dump(),
        plan=plan,
        routing=built.routing,
        route=built.route,
        created_by=principal.user_id,
    )
    location = f"/api/v1/patrol-plans/{plan_id}"
    route = (
        {"type": "LineString", "coordinates": [list(p) for p in built.route]}
        if len(built.route) >= 2
        else None
    )
    answer = {**plan, "route": route, "links": _links(plan_id)}
    return JsonResponse(answer, status_code=201, headers={"Location": location})


@router.get(
    "",
    summary="Recent patrol plans",
    responses={200: model_doc(shapes.PlanList, "The latest plans")},
)
async def list_plans(db: DbDep, _: PlanUser) -> Response:
    rows = await store.list_plans(db)
    items = [
        {
            "id": str(r["id"]),
            "created_at": r["created_at"].isoformat(),
            "window": r["plan"]["window"],
            "stops": len(r["plan"]["stops"]),
            "links": _links(r["id"]),
        }
        for r in rows
    ]
    return JsonResponse({"plans": items})


async def _load(db: DbDep, raw_id: str) -> tuple[uuid.UUID, dict[str, Any], str | None]:
    plan_id = _plan_id(raw_id)
    row = await store.get_plan(db, plan_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return plan_id, dict(row["plan"]), row["route_geojson"]


def _attachment(export: Export) -> Response:
    return Response(
        export.body,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"'},
    )


LayerParam = Annotated[
    str,
    Query(
        description="`stops` (Points, in visiting order) or `route` (the walking route, "
        "a LineString): one geometry type per file, as a GIS expects"
    ),
]


def _layer(raw: str) -> str:
    if raw not in patrol_export.LAYERS:
        raise Unprocessable(
            f"layer must be one of {', '.join(patrol_export.LAYERS)}", field="layer"
        )
    return raw


async def _layer_export(
    db: DbDep,
    principal: Principal,
    plan_id: str,
    layer: str,
    fmt: str,
    build: Callable[[uuid.UUID, dict[str, Any], str | None, str], Export],
) -> Response:
    """One layer (stops or route) of a plan as a file, audited like every export."""
    chosen = _layer(layer)
    pid, plan, route = await _load(db, plan_id)
    await audit.record(
        db,
        principal,
        "patrol_plans:export",
        target=str(pid),
        details={"format": fmt, "layer": chosen},
    )
    return _attachment(build(pid, plan, route, chosen))


@router.get(
    "/{plan_id}.geojson",
    summary="The plan as GeoJSON: the stops, or with `layer=route` the route",
    responses={
        200: model_doc(shapes.FeatureCollection, "One layer of the plan", "application/geo+json")
    },
)
async def plan_geojson(
    plan_id: str, db: DbDep, principal: PlanUser, layer: LayerParam = "stops"
) -> Response:
    return await _layer_export(db, principal, plan_id, layer, "geojson", patrol_export.plan_geojson)


@router.get(
    "/{plan_id}.gpx",
    summary="The plan as GPX 1.1 (waypoints and track)",
    responses={
        200: {
            "description": "GPX 1.1",
            "content": {"application/gpx+xml": {"schema": {"type": "string"}}},
        }
    },
)
async def plan_gpx(plan_id: str, request: Request, db: DbDep, principal: PlanUser) -> Response:
    pid, plan, route = await _load(db, plan_id)
    lang = language(request)
    _ = partial(gettext, lang)
    export = patrol_export.plan_gpx(
        pid,
        plan,
        route,
        # The detour factor has one decimal (1,3), as on the printable page.
        description=staff_texts.routing_note(
            _, plan["routing"], lambda value: number(lang, value, 1)
        ),
        stop_label=_("Otrygg plats {id}"),
    )
    await audit.record(
        db, principal, "patrol_plans:export", target=str(pid), details={"format": "gpx"}
    )
    return _attachment(export)


@router.get(
    "/{plan_id}.gpkg",
    summary="The plan as GeoPackage (layers stops and route)",
    responses={
        200: media_doc("GeoPackage (EPSG:3006)", {"application/geopackage+sqlite3": BINARY})
    },
)
async def plan_gpkg(plan_id: str, db: DbDep, principal: PlanUser) -> Response:
    pid, plan, route = await _load(db, plan_id)
    # GDAL writes a file: keep it off the event loop.
    export = await asyncio.to_thread(patrol_export.plan_gpkg, pid, plan, route)
    await audit.record(
        db, principal, "patrol_plans:export", target=str(pid), details={"format": "gpkg"}
    )
    return _attachment(export)


@router.get(
    "/{plan_id}.csv",
    summary="The plan as CSV (WKT in WGS 84): the stops, or with `layer=route` the route",
    responses={200: media_doc("CSV, UTF-8", {"text/csv": TEXT})},
)
async def plan_csv(
    plan_id: str, db: DbDep, principal: PlanUser, layer: LayerParam = "stops"
) -> Response:
    return await _layer_export(db, principal, plan_id, layer, "csv", patrol_export.plan_csv)


@router.get("/{plan_id}/print", summary="A printable A4 page", response_class=HTMLResponse)
async def plan_print(plan_id: str, request: Request, db: DbDep, principal: PlanUser) -> Response:
    pid, plan, route = await _load(db, plan_id)
    lang = language(request)
    _ = partial(gettext, lang)
    data = patrol_export.print_data(plan, route, lang)
    svg = route_svg(
        data.route,
        plan["stops"],
        plan["start"]["point"],
        plan["end"]["point"],
        title=_("Rutt"),
    )
    await audit.record(db, principal, "patrol_plans:print", target=str(pid))
    page = render(
        lang,
        "print_plan.html",
        plan=plan,
        svg=svg,
        reason_labels=data.reason_labels,
        day_names=data.day_names,
        method_name=staff_texts.method_names(_).get(plan["method"], plan["method"]),
        csp_nonce=getattr(request.state, "csp_nonce", ""),
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.get(
    "/{plan_id}",
    summary="A stored patrol plan",
    responses={200: model_doc(shapes.PatrolPlan, "The plan with its recorded runs")},
)
async def get_plan(plan_id: str, db: DbDep, _: PlanUser) -> Response:
    pid, plan, route = await _load(db, plan_id)
    runs = await store.list_runs(db, pid)
    answer = {
        **plan,
        "route": orjson.Fragment(route.encode()) if route else None,
        "runs": [
            {
                "id": str(r["id"]),
                "carried_out_on": r["carried_out_on"].isoformat(),
                "hotspot_ids": r["hotspot_ids"],
                "note": r["note"],
            }
            for r in runs
        ],
        "links": _links(pid),
    }
    return JsonResponse(answer)


@router.post(
    "/{plan_id}/runs",
    status_code=201,
    summary="Record the patrol as carried out",
    responses={201: model_doc(shapes.PatrolRun, "Recorded")},
    openapi_extra=json_body_doc(RunBody),
)
async def record_run(plan_id: str, body: JsonBody, db: DbDep, principal: PlanUser) -> Response:
    pid, plan, _ = await _load(db, plan_id)
    parsed: RunBody = validate_body(RunBody, body)
    planned = [s["hotspot_id"] for s in plan["stops"]]
    visited = planned if parsed.hotspot_ids is None else parsed.hotspot_ids
    unknown = [h for h in visited if h not in planned]
    if unknown:
        raise Unprocessable(f"not stops of this plan: {', '.join(unknown)}")
    if parsed.carried_out_on > dt.date.today() + dt.timedelta(days=1):
        raise Unprocessable("carried_out_on is in the future")
    run_id = await store.insert_run(
        db,
        plan_id=pid,
        carried_out_on=parsed.carried_out_on,
        hotspot_ids=list(dict.fromkeys(visited)),
        note=parsed.note,
        recorded_by=principal.user_id,
    )
    return JsonResponse(
        {"id": str(run_id), "plan_id": str(pid), "hotspot_ids": visited}, status_code=201
    )


@router.delete(
    "/{plan_id}/runs/{run_id}",
    status_code=204,
    summary="Delete a recorded patrol within 24 hours (a mistake)",
)
async def delete_run(
    plan_id: str,
    run_id: str,
    db: DbDep,
    principal: Annotated[Principal, require("patrol_runs:delete")],
) -> Response:
    pid = _plan_id(plan_id)
    rid = params.path_uuid(run_id, RUN_NOT_FOUND)
    deleted = await store.delete_recent_run(db, pid, rid, UNDO_HOURS)
    if deleted is None:
        raise NotFound(RUN_NOT_FOUND)
    if not deleted:
        raise Conflict(
            f"a recorded patrol can be deleted only within {UNDO_HOURS} hours", field="run_id"
        )
    await audit.record(
        db, principal, "patrol_runs:delete", target=str(rid), details={"plan_id": str(pid)}
    )
    return Response(status_code=204)
