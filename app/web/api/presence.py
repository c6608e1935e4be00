"""Presence groups (police, volunteers, guards, field workers, leisure staff) and week plans.

Coordinators keep the groups and their weekly shifts; a plan for an ISO week
assigns the groups' teams to places hour by hour. `.ics` gives one group's
part as a calendar; `/visits` records a stop as carried out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from app.security import audit
from app.security.access import Principal, require
from app.services import presence
from app.services.presence_ics import plan_ics
from app.web import params
from app.web.api import shapes_field as shapes
from app.web.deps import DbDep, JsonBody, SettingsDep, validate_body
from app.web.openapi import SHIFT_SCHEMA, TEXT, json_body_doc, media_doc, model_doc
from app.web.responses import JsonResponse

groups_router = APIRouter(prefix="/api/v1/presence-groups", tags=["presence"])
plans_router = APIRouter(prefix="/api/v1/presence-plans", tags=["presence"])
router = APIRouter()

Manager = Annotated[Principal, require("presence:manage")]
Reader = Annotated[Principal, require("presence:read")]
Recorder = Annotated[Principal, require("presence:record")]
Kind = Literal["police", "volunteers", "guards", "field_workers", "leisure"]


class GroupBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    kind: Kind
    shifts: list[dict[str, Any]] = Field(
        max_length=50,
        description='e.g. [{"days": ["fri", "sat"], "start": "20:00", "end": "02:00", '
        '"people": 2}]',
        json_schema_extra={"items": SHIFT_SCHEMA},
    )


class GroupPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=120)
    kind: Kind | None = None
    shifts: list[dict[str, Any]] | None = Field(
        None,
        max_length=50,
        json_schema_extra={
            "anyOf": [
                {"type": "array", "maxItems": 50, "items": SHIFT_SCHEMA},
                {"type": "null"},
            ]
        },
    )


class PlanBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    week: str = Field(description="ISO week, e.g. 2026-W50")
    groups: list[str] | None = Field(None, min_length=1, max_length=100)
    overlap: bool = Field(False, description="May two groups stand at one place in one hour?")


class VisitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=20, description="The stop's `key` in the plan.")
    carried_out_on: dt.date
    minutes: int | None = Field(None, ge=0, le=24 * 60)
    note: str | None = Field(None, max_length=2000)


def _group_id(raw: str) -> uuid.UUID:
    return params.path_uuid(raw, presence.GROUP_NOT_FOUND)


def _plan_id(raw: str) -> uuid.UUID:
    return params.path_uuid(raw, presence.PLAN_NOT_FOUND)


@groups_router.post(
    "",
    status_code=201,
    summary="Add a presence group with its weekly shifts",
    responses={201: model_doc(shapes.PresenceGroup, "The new group")},
    openapi_extra=json_body_doc(GroupBody),
)
async def create_group(body: JsonBody, db: DbDep, principal: Manager) -> Response:
    parsed = validate_body(GroupBody, body)
    shifts = presence.parse_shifts(parsed.shifts)
    group = await presence.create_group(db, parsed.name, parsed.kind, shifts, principal.user_id)
    return JsonResponse(group, status_code=201, headers={"Location": group["links"]["self"]})


@groups_router.get(
    "",
    summary="Every presence group",
    responses={200: model_doc(shapes.PresenceGroupList, "The groups")},
)
async def list_groups(db: DbDep, _: Reader) -> Response:
    return JsonResponse({"groups": await presence.list_groups(db)})


@groups_router.get(
    "/{group_id}",
    summary="One presence group",
    responses={200: model_doc(shapes.PresenceGroup, "The group")},
)
async def get_group(group_id: str, db: DbDep, _: Reader) -> Response:
    return JsonResponse(await presence.get_group(db, _group_id(group_id)))


@groups_router.patch(
    "/{group_id}",
    summary="Change a group's name, kind or shifts",
    responses={200: model_doc(shapes.PresenceGroup, "The group as changed")},
    openapi_extra=json_body_doc(GroupPatch),
)
async def patch_group(group_id: str, body: JsonBody, db: DbDep, _: Manager) -> Response:
    gid = _group_id(group_id)
    parsed = validate_body(GroupPatch, body)
    changes: dict[str, Any] = parsed.model_dump(exclude_unset=True, exclude_none=True)
    if parsed.shifts is not None:
        changes["shifts"] = presence.parse_shifts(parsed.shifts)
    return JsonResponse(await presence.update_group(db, gid, changes))


@groups_router.delete("/{group_id}", status_code=204, summary="Remove a group")
async def delete_group(group_id: str, db: DbDep, _: Manager) -> Response:
    await presence.delete_group(db, _group_id(group_id))
    return Response(status_code=204)


@plans_router.post(
    "",
    status_code=201,
    summary="Plan the groups' presence for an ISO week",
    responses={201: model_doc(shapes.PresencePlan, "The plan, stored")},
    openapi_extra=json_body_doc(PlanBody),
)
async def create_plan(
    body: JsonBody, db: DbDep, settings: SettingsDep, principal: Manager
) -> Response:
    parsed = validate_body(PlanBody, body)
    ids = None if parsed.groups is None else [presence.as_group_id(g) for g in parsed.groups]
    plan = await presence.build_plan(
        db,
        settings,
        week=parsed.week,
        group_ids=ids,
        overlap=parsed.overlap,
        created_by=principal.user_id,
    )
    location = f"/api/v1/presence-plans/{plan['id']}"
    return JsonResponse(plan, status_code=201, headers={"Location": location})


@plans_router.get(
    "",
    summary="Recent presence plans",
    responses={200: model_doc(shapes.PresencePlanList, "The latest plans")},
)
async def list_plans(db: DbDep, _: Reader) -> Response:
    rows = await presence.list_plans(db)
    return JsonResponse(
        {
            "plans": [
                {"id": str(r["id"]), "week": r["week"], "created_at": r["created_at"].isoformat()}
                for r in rows
            ]
        }
    )


@plans_router.get(
    "/{plan_id}.ics",
    summary="One group's part of the plan as iCalendar",
    responses={200: media_doc("iCalendar (RFC 5545)", {"text/calendar": TEXT})},
)
async def plan_calendar(
    plan_id: str,
    db: DbDep,
    principal: Reader,
    group: Annotated[str | None, Query(description="The group's id; default: every group")] = None,
) -> Response:
    pid = _plan_id(plan_id)
    plan = await presence.load_plan(db, pid)
    group_id = None if group is None else str(presence.as_group_id(group))
    await audit.record(db, principal, "presence_plans:export", target=str(pid))
    return Response(
        plan_ics(plan, group_id),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="narvaro-{plan["week"]}.ics"'},
    )


@plans_router.get(
    "/{plan_id}",
    summary="A stored presence plan",
    responses={200: model_doc(shapes.PresencePlan, "The plan with the stops carried out")},
)
async def get_plan(plan_id: str, db: DbDep, _: Reader) -> Response:
    return JsonResponse(await presence.load_plan(db, _plan_id(plan_id)))


@plans_router.post(
    "/{plan_id}/visits",
    status_code=201,
    summary="Record a stop as carried out",
    responses={
        200: model_doc(shapes.PresenceVisit, "Already recorded for that day: the first record"),
        201: model_doc(shapes.PresenceVisit, "Recorded"),
    },
    openapi_extra=json_body_doc(VisitBody),
)
async def record_visit(plan_id: str, body: JsonBody, db: DbDep, principal: Recorder) -> Response:
    pid = _plan_id(plan_id)
    parsed = validate_body(VisitBody, body)
    answer, created = await presence.record_visit(
        db,
        pid,
        key=parsed.key,
        carried_out_on=parsed.carried_out_on,
        minutes=parsed.minutes,
        note=parsed.note,
        recorded_by=principal.user_id,
    )
    return JsonResponse(answer, status_code=201 if created else 200)


router.include_router(groups_router)
router.include_router(plans_router)
