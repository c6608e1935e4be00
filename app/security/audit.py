"""The append-only audit log. (Interface; staff access fills in the storage.)

Call `record` after every staff read of raw reports, every export, every
moderation action, every login and every user/role change. Never pass free
text or passwords in `details`.
"""

from __future__ import annotations

from typing import Any

from app.db import Database
from app.security.access import Principal


async def record(
    db: Database,
    principal: Principal,
    action: str,
    *,
    target: str | None = None,
    details: dict[str, Any] | None = None,
    rows: int | None = None,
) -> None:
    """Append one audit entry (who, when, what, which filters, how many rows)."""
    return None
