"""Group commit for filed reports: concurrent inserts share one transaction and one WAL flush.

A request hands its report to the batcher and waits for the commit of the
batch it joined, so its 201 is still only sent once the report is durable.
Whoever arrives while a batch is committing joins the next one; a lone
report is committed at once, so nothing waits for a timer.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from app.db.pool import Database, DatabaseUnavailable
from app.repo import reports as store

log = logging.getLogger(__name__)

Pending = tuple[dict[str, Any], "asyncio.Future[None]"]


class GroupCommit:
    """Inserts reports in batches of at most `max_batch`, one transaction each."""

    def __init__(self, db: Database, max_batch: int = 64) -> None:
        self.db = db
        self.max_batch = max_batch
        self._pending: list[Pending] = []
        self._task: asyncio.Task[None] | None = None
        self.batches = 0

    async def insert(self, values: dict[str, Any], wkb: bytes) -> None:
        """Store one report; returns once the transaction holding it has committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(({**values, "wkb": wkb}, done))
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())
        # Shielded: a client that hangs up does not cancel the others' batch.
        await asyncio.shield(done)

    async def _drain(self) -> None:
        while self._pending:
            batch = self._pending[: self.max_batch]
            del self._pending[: self.max_batch]
            await self._commit(batch)

    async def _commit(self, batch: list[Pending]) -> None:
        try:
            await store.insert_reports(self.db, [params for params, _ in batch])
            self.batches += 1
        except Exception as exc:
            if len(batch) == 1 or isinstance(exc, DatabaseUnavailable):
                _fail(batch, exc)
                return
            # One bad row must not fail the others: commit each alone.
            log.warning("batch of %d reports failed (%s); inserting one by one", len(batch), exc)
            for one in batch:
                await self._commit([one])
            return
        for _, done in batch:
            if not done.done():
                done.set_result(None)


def _fail(batch: list[Pending], exc: BaseException) -> None:
    for _, done in batch:
        if not done.done():
            done.set_exception(exc)
