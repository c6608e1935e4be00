"""Service tests call the use cases directly, on a fresh pool per call."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from app.config import Settings
from app.db.pool import Database

T = TypeVar("T")
RunDb = Callable[[Callable[[Database], Awaitable[Any]]], Any]


def on_db(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on a pool of its own, opened and closed around it."""

    async def go() -> T:
        db = Database(settings, min_size=1)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(go())


@pytest.fixture
def run_db(settings: Settings, clean_db: None) -> RunDb:
    """`run_db(lambda db: service(db, ...))`: runs the coroutine on an open pool."""

    def run(work: Callable[[Database], Awaitable[T]]) -> T:
        return on_db(settings, work)

    return run
