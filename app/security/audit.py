"""The append-only audit log.

Call `record` after every staff read of raw reports, every export, every
moderation action, every login and every user/role change. Never pass free
text or passwords in `details`: values that look like either are dropped.
"""

from __future__ import annotations

from typing import Any

from app.db.pool import AsyncConn, Database
from app.repo import audit as store
from app.security.access import Principal

# Keys that must never reach the log, whoever passes them.
FORBIDDEN_KEYS = frozenset(
    {"password", "description", "suggestion", "text", "token", "receipt", "client_token"}
)
MAX_VALUE_CHARS = 200


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return value[:MAX_VALUE_CHARS]
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean(v) for v in value][:100]
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items() if str(k) not in FORBIDDEN_KEYS}
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:MAX_VALUE_CHARS]


def entry(
    principal: Principal,
    action: str,
    *,
    target: str | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of one audit entry, for a read that writes it in its own statement."""
    return {
        "user_id": principal.user_id,
        "actor": principal.email or principal.via,
        "via": principal.via,
        "action": action,
        "target": target,
        "details": _clean(details or {}),
    }


async def record(
    db: Database,
    principal: Principal,
    action: str,
    *,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    rows: int | None = None,
    conn: AsyncConn | None = None,
) -> None:
    """Append one audit entry (who, when, what, which filters, how many rows)."""
    await store.append(
        db,
        user_id=principal.user_id,
        actor=principal.email or principal.via,
        via=principal.via,
        action=action,
        target=target,
        details=_clean(details or {}),
        rows=rows,
        conn=conn,
    )
