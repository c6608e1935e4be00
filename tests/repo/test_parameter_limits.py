"""Statements whose input grows with the data pass one array, not one parameter per row."""

from __future__ import annotations

import asyncio
import hashlib
import uuid

from app.config import Settings
from app.db.pool import Database
from app.repo import sites as site_store
from app.repo.rate_counters import coordination_by_group
from tests.conftest import Sql

# libpq refuses more than 65535 parameters in one statement.
MANY = 70_000


def test_coordination_for_more_reporters_than_libpq_parameters(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    hashes = [hashlib.sha256(str(i).encode()).digest() for i in range(MANY)]
    # Three of them first seen from one address together: a coordinated group.
    sql.all(
        "INSERT INTO reporter_first_seen (reporter_hash, address_hash) "
        "SELECT h, '\\x01'::bytea FROM unnest(%(h)s::bytea[]) AS h",
        {"h": hashes[:3]},
    )

    async def check() -> dict[str, bool]:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            return await coordination_by_group(db, {"all": hashes, "three": hashes[:3]})
        finally:
            await db.close()

    assert asyncio.run(check()) == {"all": False, "three": True}


def test_sites_by_many_ids(settings: Settings, clean_db: None) -> None:
    ids = [uuid.uuid4() for _ in range(MANY)]

    async def check() -> tuple[int, dict[str, int]]:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            found = await site_store.sites_by_ids(db, ids)
            return len(found), await site_store.status_counts(db, ids)
        finally:
            await db.close()

    assert asyncio.run(check()) == (0, {})
