"""/api/v1/moderation: the queue of free text waiting for a moderator, and its actions.

Geometry, reasons and times count toward hotspots at once; free text is
released to police and planners only after approval or redaction. Hiding a
report takes it out of the hotspots. Every action is audited (without the
text) and an admin can revert it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StrictStr

from app.db.pool import Database
from app.errors import Conflict, NotFound, Unprocessable
from app.repo import moderation as store
from app.security import audit
from app.security.access import Principal, require
from app.web import params
from app.web.api.users import _parse
from app.web.deps import DbDep, JsonBody

router = APIRouter(prefix="/api/v1/moderation", tags=["moderation"])
NOT_FOUND = "No report with that id."
REDACTED = "[…]"


class Redaction(BaseModel):
    model_config = ConfigDict(extra="forbid")
    remove: list[StrictStr] = Field(
        ..., min_length=1, description="Passages to cut from the description and suggestion."
    )


def _id(raw: str, message: str = NOT_FOUND) -> uuid.UUID:
    return params.path_uuid(raw, message)


@router.get("/queue", summary="Reports whose free text waits for moderation, oldest first")
async def queue(
    db: DbDep,
    principal: Annotated[Principal, require("moderation")],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
) -> dict[str, Any]:
    rows = await store.queue(db, limit=limit)
    await audit.record(db, principal, "moderation:queue", rows=len(rows))
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


async def moderate(
    db: Database,
    principal: Principal,
    report_id: uuid.UUID,
    action: str,
    changes: dict[str, Any],
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Apply one action and audit it; shared by the API and the staff page."""
    action_id = await store.apply(db, report_id, action, changes, user_id=principal.user_id)
    if action_id is None:
        raise NotFound(NOT_FOUND)
    await audit.record(
        db,
        principal,
        f"moderation:{action}",
        target=str(report_id),
        details={**(details or {}), "action_id": str(action_id)},
        rows=1,
    )
    return {"id": str(report_id), "action": action, "action_id": str(action_id), **changes}


async def redact(
    db: Database, principal: Principal, report_id: uuid.UUID, passages: list[str]
) -> dict[str, Any]:
    current = await store.text_of(db, report_id)
    if current is None:
        raise NotFound(NOT_FOUND)
    passages = [p for p in (p.strip() for p in passages) if p]
    texts = {k: current[k] for k in ("description", "suggestion")}
    missing = [p for p in passages if not any(t and p in t for t in texts.values())]
    if not passages or missing:
        raise Unprocessable("each passage to remove must appear in the text as written")
    changes: dict[str, Any] = {"text_status": "redacted"}
    for name, text in texts.items():
        if text:
            for passage in passages:
                text = text.replace(passage, REDACTED)
            changes[name] = text
    # Only counts go to the audit log, never the removed words.
    result = await moderate(
        db, principal, report_id, "redact", changes, {"passages": len(passages)}
    )
    return {"id": result["id"], "action": "redact", "action_id": result["action_id"]}


@router.post("/reports/{report_id}/approve", summary="Release the free text to staff")
async def approve(
    report_id: str, db: DbDep, principal: Annotated[Principal, require("moderation")]
) -> dict[str, Any]:
    return await moderate(db, principal, _id(report_id), "approve", {"text_status": "approved"})


@router.post("/reports/{report_id}/redact", summary="Cut passages (names, abuse) from the text")
async def post_redact(
    report_id: str,
    body: JsonBody,
    db: DbDep,
    principal: Annotated[Principal, require("moderation")],
) -> dict[str, Any]:
    wanted = _parse(Redaction, body)
    return await redact(db, principal, _id(report_id), wanted.remove)


@router.post("/reports/{report_id}/hide", summary="Hide a report: it stops counting")
async def hide(
    report_id: str, db: DbDep, principal: Annotated[Principal, require("moderation")]
) -> dict[str, Any]:
    return await moderate(db, principal, _id(report_id), "hide", {"status": "hidden"})


@router.get("/reports/{report_id}/actions", summary="Moderation history of a report")
async def history(
    report_id: str, db: DbDep, principal: Annotated[Principal, require("moderation")]
) -> dict[str, Any]:
    rows = await store.actions_of(db, _id(report_id))
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


@router.post("/actions/{action_id}/revert", summary="Undo a moderation action (admin)")
async def revert(
    action_id: str, db: DbDep, principal: Annotated[Principal, require("moderation:revert")]
) -> dict[str, Any]:
    parsed = _id(action_id, "No moderation action with that id.")
    action = await store.revert(db, parsed)
    if action is None:
        if await store.action_exists(db, parsed):
            raise Conflict("that action was already reverted")
        raise NotFound("No moderation action with that id.")
    await audit.record(
        db,
        principal,
        "moderation:revert",
        target=str(action["report_id"]),
        details={"action_id": action_id, "reverted": action["action"]},
        rows=1,
    )
    return {"id": str(action["report_id"]), "reverted": action["action"], "action_id": action_id}
