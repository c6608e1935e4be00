"""Concurrent reports are counted in one statement, and each still gets its own count."""

from __future__ import annotations

import asyncio
import os

from app.config import Settings
from app.db.pool import Database
from app.repo import report_counts
from app.repo.rate_counters import Count
from app.repo.report_counts import ReportHit
from tests.conftest import Sql


def test_parallel_reports_of_one_device_each_get_their_own_number(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    device, address = os.urandom(32), os.urandom(32)

    def hit(reporter: bytes) -> ReportHit:
        return ReportHit(reporter, os.urandom(32), device, address, 3600)

    async def run() -> list[tuple[Count, Count]]:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            reporters = [os.urandom(32) for _ in range(30)]
            # Two devices' worth of first sightings; one of them reports twice.
            return await asyncio.gather(
                *(report_counts.count_report(db, hit(r)) for r in [*reporters, reporters[0]])
            )
        finally:
            await db.close()

    counts = asyncio.run(run())
    # Like 31 requests counted one after another: 1..31 on both counters, no two alike,
    # so parallel requests cannot slip past a limit together.
    assert sorted(c.hits for c, _ in counts) == list(range(1, 32))
    assert sorted(a.hits for _, a in counts) == list(range(1, 32))
    assert all(1 <= c.retry_after <= 3600 for c, _ in counts)
    assert sql.scalar("SELECT hits FROM rate_counters WHERE key_hash = %(k)s", {"k": device}) == 31
    assert sql.scalar("SELECT count(*) FROM reporter_first_seen") == 30


def test_a_limit_that_is_off_counts_nothing(settings: Settings, sql: Sql, clean_db: None) -> None:
    async def run() -> tuple[Count, Count]:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            return await report_counts.count_report(
                db, ReportHit(os.urandom(32), os.urandom(32), None, None, 3600)
            )
        finally:
            await db.close()

    client, address = asyncio.run(run())
    assert client.hits == 0 and address.hits == 0
    assert sql.scalar("SELECT count(*) FROM rate_counters") == 0
    assert sql.scalar("SELECT count(*) FROM reporter_first_seen") == 1
