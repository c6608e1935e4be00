"""Concurrent reports share a commit; each caller returns only after its row is committed."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from app.config import Settings
from app.db.pool import Database
from app.services.group_commit import GroupCommit
from tests.conftest import Sql

POINT_WKB = bytes.fromhex("0101000000c3d32b6519a52840f4fdd478e9304d40")


def _values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "channel": "api",
        "kind": "unsafe",
        "severity": 2,
        "reasons": ["lighting"],
        "times": ["night"],
        "days": ["weekend"],
        "dark_season": False,
        "description": None,
        "suggestion": None,
        "avoids_place": None,
        "age_band": None,
        "gender": None,
        "reporter_hash": None,
        "receipt_hash": None,
        "text_status": "none",
    }
    return {**values, **changes}


def test_concurrent_reports_are_committed_together(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    async def run() -> tuple[int, list[uuid.UUID]]:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            batcher = GroupCommit(db)
            rows = [_values() for _ in range(40)]
            await asyncio.gather(*(batcher.insert(v, POINT_WKB) for v in rows))
            return batcher.batches, [v["id"] for v in rows]
        finally:
            await db.close()

    batches, ids = asyncio.run(run())
    assert batches < len(ids)
    stored = sql.scalar("SELECT count(*) FROM reports WHERE id = ANY(%(ids)s)", {"ids": ids})
    assert stored == len(ids)


def test_one_bad_report_fails_alone(settings: Settings, sql: Sql, clean_db: None) -> None:
    async def run() -> list[BaseException | None]:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            batcher = GroupCommit(db)
            rows = [_values() for _ in range(5)] + [_values(severity=99)]
            return await asyncio.gather(
                *(batcher.insert(v, POINT_WKB) for v in rows), return_exceptions=True
            )
        finally:
            await db.close()

    outcomes = asyncio.run(run())
    assert outcomes[:5] == [None] * 5
    assert isinstance(outcomes[5], Exception)
    assert sql.scalar("SELECT count(*) FROM reports") == 5
