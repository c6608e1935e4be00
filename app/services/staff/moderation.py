"""Moderation: release, redact or hide a report's free text, and revert an action.

Geometry, reasons and times count toward hotspots at once; free text is
released to police and planners only after approval or redaction. Hiding a
report takes it out of the hotspots. Every action is audited (without the
text) and an admin can revert it.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.db.pool import Database, Row
from app.errors import Conflict, NotFound, Unprocessable
from app.repo import moderation as store
from app.security import audit
from app.security.access import Principal

NOT_FOUND = "No report with that id."
NO_ACTION = "No moderation action with that id."
REDACTED = "[…]"


async def queue(db: Database, principal: Principal, limit: int = 50) -> list[Row]:
    """Reports whose free text waits for a moderator, oldest first; the look is audited."""
    rows = await store.queue(db, limit=limit)
    await audit.record(db, principal, "moderation:queue", rows=len(rows))
    return rows


async def moderate(
    db: Database,
    principal: Principal,
    report_id: uuid.UUID,
    action: str,
    changes: dict[str, Any],
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Apply one action and audit it."""
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


async def approve(db: Database, principal: Principal, report_id: uuid.UUID) -> dict[str, Any]:
    return await moderate(db, principal, report_id, "approve", {"text_status": "approved"})


async def hide(db: Database, principal: Principal, report_id: uuid.UUID) -> dict[str, Any]:
    return await moderate(db, principal, report_id, "hide", {"status": "hidden"})


async def redact(
    db: Database, principal: Principal, report_id: uuid.UUID, passages: list[str]
) -> dict[str, Any]:
    """Replace each passage (names, abuse) in the description and suggestion by `[…]`."""
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


async def history(db: Database, report_id: uuid.UUID) -> list[Row]:
    return await store.actions_of(db, report_id)


async def revert(db: Database, principal: Principal, action_id: uuid.UUID) -> dict[str, Any]:
    """Undo the latest moderation action on a report; each at most once."""
    result = await store.revert(db, action_id)
    if result.outcome == "unknown":
        raise NotFound(NO_ACTION)
    if result.outcome == "already":
        raise Conflict("that action was already reverted")
    if result.later is not None:
        raise Conflict(
            "only the latest action on a report can be reverted: revert the later "
            f"{result.later['action']} ({result.later['id']}) first"
        )
    action = result.action
    assert action is not None
    await audit.record(
        db,
        principal,
        "moderation:revert",
        target=str(action["report_id"]),
        details={"action_id": str(action_id), "reverted": action["action"]},
        rows=1,
    )
    return {
        "id": str(action["report_id"]),
        "reverted": action["action"],
        "action_id": str(action_id),
    }
