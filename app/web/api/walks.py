"""Safety walks (trygghetsvandringar): the walk, its stops, the agreed actions.

Stops carry an `Idempotency-Key` header (made on the phone), so a stop sent
again after a lost connection is stored once and answered with the first one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.errors import BadRequest, Unprocessable
from app.security.access import Principal, require
from app.services import walks
from app.web import params
from app.web.api import shapes_field as shapes
from app.web.deps import AreaDep, DbDep, JsonBody, SettingsDep, validate_body
from app.web.openapi import geometry_schema, json_body_doc, model_doc
from app.web.responses import JsonResponse

router = APIRouter(prefix="/api/v1/walks", tags=["safety walks"])

Walker = Annotated[Principal, require("walks:manage")]


class WalkBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    date: dt.date
    area: dict[str, Any] | None = Field(
        None,
        description="GeoJSON Polygon of the walked area",
        json_schema_extra=geometry_schema("Polygon", nullable=True),
    )
    route: dict[str, Any] | None = Field(
        None,
        description="GeoJSON LineString of the route",
        json_schema_extra=geometry_schema("LineString", nullable=True),
    )
    meeting_point: str | None = Field(None, max_length=200)
    meeting_time: str | None = Field(None, pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    announce: bool = Field(False, description="Show the walk on /loften")


class StopBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    point: dict[str, Any] = Field(
        description="GeoJSON Point", json_schema_extra=geometry_schema("Point")
    )
    hotspot_id: uuid.UUID | None = None
    checklist: dict[str, str] = Field(default_factory=dict)
    note: str | None = Field(None, max_length=4000)


class ActionBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    stop_id: uuid.UUID
    text: str = Field(min_length=1, max_length=2000)
    unit: str = Field(min_length=1, max_length=200, description="Who acts: förvaltning or unit")
    due: dt.date | None = None
    site: bool = Field(False, description="Also open a redesign site around the stop")


def _walk_id(raw: str) -> uuid.UUID:
    return params.path_uuid(raw, walks.WALK_NOT_FOUND)


@router.post(
    "",
    status_code=201,
    summary="Plan a safety walk over an area or along a route",
    responses={201: model_doc(shapes.WalkDetail, "The new walk")},
    openapi_extra=json_body_doc(WalkBody),
)
async def create_walk(
    body: JsonBody, db: DbDep, settings: SettingsDep, area: AreaDep, principal: Walker
) -> Response:
    parsed = validate_body(WalkBody, body)
    if (parsed.area is None) == (parsed.route is None):
        raise Unprocessable("give either area (a Polygon) or route (a LineString)")
    geometry = parsed.area if parsed.area is not None else parsed.route
    assert geometry is not None
    kind = "Polygon" if parsed.area is not None else "LineString"
    if geometry.get("type") != kind:
        raise Unprocessable(f"{'area' if kind == 'Polygon' else 'route'} must be a {kind}")
    values = parsed.model_dump(exclude={"area", "route"})
    walk = await walks.create_walk(db, settings, area, values, geometry, principal.user_id)
    return JsonResponse(walk, status_code=201, headers={"Location": walk["links"]["self"]})


@router.get(
    "", summary="Every safety walk", responses={200: model_doc(shapes.WalkList, "The walks")}
)
async def list_walks(db: DbDep, _: Walker) -> Response:
    return JsonResponse({"walks": await walks.list_walks(db)})


@router.get(
    "/{walk_id}",
    summary="A walk with its stops and actions",
    responses={200: model_doc(shapes.WalkDetail, "The walk")},
)
async def get_walk(walk_id: str, db: DbDep, _: Walker) -> Response:
    return JsonResponse(await walks.walk_json(db, _walk_id(walk_id)))


@router.post(
    "/{walk_id}/stops",
    status_code=201,
    summary="Add a stop (send an Idempotency-Key)",
    responses={
        200: model_doc(shapes.WalkStop, "Sent before with this key: the stop as first stored"),
        201: model_doc(shapes.WalkStop, "The new stop"),
    },
    openapi_extra=json_body_doc(StopBody),
)
async def add_stop(
    walk_id: str,
    request: Request,
    body: JsonBody,
    db: DbDep,
    settings: SettingsDep,
    area: AreaDep,
    principal: Walker,
) -> Response:
    wid = _walk_id(walk_id)
    key = request.headers.get("idempotency-key", "").strip()
    if not key or len(key) > 100:
        raise BadRequest("send an Idempotency-Key header (1-100 characters) with each stop")
    parsed = validate_body(StopBody, body)
    stop, created = await walks.add_stop(
        db,
        settings,
        area,
        wid,
        key=key,
        point=parsed.point,
        hotspot_id=str(parsed.hotspot_id) if parsed.hotspot_id else None,
        checklist=parsed.checklist,
        note=parsed.note,
        created_by=principal.user_id,
    )
    headers = {} if created else {"Idempotent-Replayed": "true"}
    return JsonResponse(stop, status_code=201 if created else 200, headers=headers)


@router.post(
    "/{walk_id}/actions",
    status_code=201,
    summary="Agree on an action at a stop",
    responses={201: model_doc(shapes.WalkAction, "The action")},
    openapi_extra=json_body_doc(ActionBody),
)
async def add_action(walk_id: str, body: JsonBody, db: DbDep, principal: Walker) -> Response:
    wid = _walk_id(walk_id)
    parsed = validate_body(ActionBody, body)
    action = await walks.add_action(
        db,
        wid,
        stop_id=parsed.stop_id,
        text=parsed.text,
        unit=parsed.unit,
        due=parsed.due,
        as_site=parsed.site,
        principal_id=principal.user_id,
        principal_email=principal.email,
    )
    return JsonResponse(action, status_code=201)


@router.post(
    "/{walk_id}/actions/{action_id}/site",
    summary="Turn an action into a redesign site around its stop",
    status_code=201,
    responses={201: model_doc(shapes.WalkAction, "The action, with `site_id` set")},
)
async def action_site(walk_id: str, action_id: str, db: DbDep, principal: Walker) -> Response:
    wid = _walk_id(walk_id)
    aid = params.path_uuid(action_id, "No such action on this safety walk.")
    action = await walks.make_site(db, wid, aid, principal.user_id, principal.email)
    return JsonResponse(action, status_code=201)
