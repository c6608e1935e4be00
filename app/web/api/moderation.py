"""/api/v1/moderation: the queue of free text waiting for a moderator, and its actions.

What each action does is in `app.services.staff.moderation`.
"""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from app.security.access import Principal, require
from app.services.staff import moderation
from app.web.api import shapes
from app.web.deps import DbDep, JsonBody, validate_body
from app.web.openapi import json_body_doc, model_doc
from app.web.params import path_uuid

router = APIRouter(prefix="/api/v1/moderation", tags=["moderation"])


class Redaction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    remove: list[StrictStr] = Field(
        ..., min_length=1, description="Passages to cut from the description and suggestion."
    )


@router.get(
    "/queue",
    response_model=None,
    summary="Reports whose free text waits for moderation, oldest first",
    responses={200: model_doc(shapes.ModerationQueue, "The queue")},
)
async def queue(
    db: DbDep,
    principal: Annotated[Principal, require("moderation")],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    rows = await moderation.queue(db, principal, limit)
    return {
        "reports": [
            {
                "id": str(r["id"]),
                "received_at": r["received_at"].isoformat(),
                "status": r["status"],
                "text_status": r["text_status"],
                "reasons": list(r["reasons"]),
                "description": r["description"],
                "suggestion": r["suggestion"],
                "geometry": orjson.loads(r["geometry"]),
            }
            for r in rows
        ]
    }


@router.post(
    "/reports/{report_id}/approve",
    response_model=None,
    summary="Release the free text to staff",
    responses={200: model_doc(shapes.ModerationResult, "Approved")},
)
async def approve(
    report_id: str, db: DbDep, principal: Annotated[Principal, require("moderation")]
) -> dict[str, Any]:
    return await moderation.approve(db, principal, path_uuid(report_id, moderation.NOT_FOUND))


@router.post(
    "/reports/{report_id}/redact",
    response_model=None,
    summary="Cut passages (names, abuse) from the text",
    responses={200: model_doc(shapes.ModerationResult, "Redacted")},
    openapi_extra=json_body_doc(Redaction),
)
async def post_redact(
    report_id: str,
    body: JsonBody,
    db: DbDep,
    principal: Annotated[Principal, require("moderation")],
) -> dict[str, Any]:
    wanted = validate_body(Redaction, body)
    parsed = path_uuid(report_id, moderation.NOT_FOUND)
    return await moderation.redact(db, principal, parsed, wanted.remove)


@router.post(
    "/reports/{report_id}/hide",
    response_model=None,
    summary="Hide a report: it stops counting",
    responses={200: model_doc(shapes.ModerationResult, "Hidden")},
)
async def hide(
    report_id: str, db: DbDep, principal: Annotated[Principal, require("moderation")]
) -> dict[str, Any]:
    return await moderation.hide(db, principal, path_uuid(report_id, moderation.NOT_FOUND))


@router.get(
    "/reports/{report_id}/actions",
    response_model=None,
    summary="Moderation history of a report",
    responses={200: model_doc(shapes.ModerationHistory, "Every action, newest first")},
)
async def history(
    report_id: str, db: DbDep, principal: Annotated[Principal, require("moderation")]
) -> dict[str, Any]:
    rows = await moderation.history(db, path_uuid(report_id, moderation.NOT_FOUND))
    return {
        "actions": [
            {
                "id": str(r["id"]),
                "at": r["at"].isoformat(),
                "action": r["action"],
                "reverted_at": r["reverted_at"].isoformat() if r["reverted_at"] else None,
            }
            for r in rows
        ]
    }


@router.post(
    "/actions/{action_id}/revert",
    response_model=None,
    summary="Undo a moderation action (admin)",
    responses={
        200: model_doc(shapes.ModerationResult, "Reverted"),
        409: {"description": "The action cannot be undone now"},
    },
)
async def revert(
    action_id: str, db: DbDep, principal: Annotated[Principal, require("moderation:revert")]
) -> dict[str, Any]:
    return await moderation.revert(db, principal, path_uuid(action_id, moderation.NO_ACTION))
