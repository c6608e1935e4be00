"""Slots for ad-hoc hotspot computations, as session advisory locks (issue 10).

A slot is held on one pooled connection for as long as its computation
runs, so the bound holds across every worker process and host using the
database, and a crashed process's slots are freed with its connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text

from app.db.pool import Database

# Keys: hashtextextended(<namespace>:<user or "all">, <slot number>).
TAKE = text("SELECT pg_try_advisory_lock(hashtextextended(:name, :slot)) AS taken")
FREE = text("SELECT pg_advisory_unlock(hashtextextended(:name, :slot))")
NAMESPACE = "trygg:hotspots:ad-hoc:"
ALL = NAMESPACE + "*all*"


@asynccontextmanager
async def hold(db: Database, user: str, per_user: int, in_all: int) -> AsyncIterator[bool]:
    """Take one of `user`'s `per_user` slots and one of `in_all` app-wide; yields False
    (holding nothing) when either is full."""
    async with db.connection() as conn:
        taken: list[tuple[str, int]] = []
        try:
            for name, count in ((NAMESPACE + user, per_user), (ALL, in_all)):
                for slot in range(count):
                    row = await db.fetch_one(TAKE, conn, {"name": name, "slot": slot})
                    if row is not None and row["taken"]:
                        taken.append((name, slot))
                        break
                else:
                    break
            yield len(taken) == 2
        finally:
            for name, slot in taken:
                await db.fetch_one(FREE, conn, {"name": name, "slot": slot})
