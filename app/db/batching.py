"""Run concurrent calls of one statement together: one round trip for many requests.

A caller submits its item and waits for the batch it joined. Whoever arrives
while a batch runs joins the next one; a lone item runs at once, so nothing
waits for a timer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Batcher(Generic[T, R]):
    """Calls `run` with at most `max_batch` items at a time; `run` answers one result per item."""

    def __init__(self, run: Callable[[list[T]], Awaitable[list[R]]], max_batch: int = 64) -> None:
        self.run = run
        self.max_batch = max_batch
        self._pending: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None
        self.batches = 0

    async def submit(self, item: T) -> R:
        done: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        # Shielded: a client that hangs up does not cancel the others' batch.
        return await asyncio.shield(done)

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            try:
                results = await self.run([item for item, _ in batch])
            except Exception as exc:
                for _, done in batch:
                    if not done.done():
                        done.set_exception(exc)
                continue
            self.batches += 1
            for (_, done), result in zip(batch, results, strict=True):
                if not done.done():
                    done.set_result(result)
