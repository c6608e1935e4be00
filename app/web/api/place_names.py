"""Place names: the name of each hotspot, and planners renaming a place (history kept)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from app.security.access import Principal, require
from app.services import place_names
from app.web import params
from app.web.api import shapes_field as shapes
from app.web.deps import DbDep, JsonBody, validate_body
from app.web.openapi import json_body_doc, model_doc
from app.web.responses import JsonResponse

router = APIRouter(prefix="/api/v1/place-names", tags=["place names"])

NOT_FOUND = "No place with that id."


class RenameBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120, description="The place's name, e.g. Torget.")


@router.get(
    "/{hotspot_id}",
    summary="A place's name and the names it had",
    responses={200: model_doc(shapes.PlaceName, "The name and its history")},
)
async def get_name(
    hotspot_id: str, db: DbDep, _: Annotated[Principal, require("hotspots:detail")]
) -> Response:
    return JsonResponse(await place_names.describe(db, params.path_uuid(hotspot_id, NOT_FOUND)))


@router.put(
    "/{hotspot_id}",
    summary="Rename a place (planners); the old name stays in the history",
    responses={200: model_doc(shapes.PlaceName, "The new name and its history")},
    openapi_extra=json_body_doc(RenameBody),
)
async def rename(
    hotspot_id: str,
    body: JsonBody,
    db: DbDep,
    principal: Annotated[Principal, require("places:rename")],
) -> Response:
    parsed = validate_body(RenameBody, body)
    hid = params.path_uuid(hotspot_id, NOT_FOUND)
    return JsonResponse(await place_names.rename(db, hid, parsed.name, principal.user_id))
