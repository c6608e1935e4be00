"""Background recomputation of the unfiltered hotspots.

`notify()` (wired to `app.state.on_report_stored`) marks the result stale;
the worker waits `hotspot_coalesce_seconds` after the first new report so a
burst of reports costs one computation (after a quiet spell only until no
report came for QUIET_SECONDS), then brings the result up to date.
It also checks every `hotspot_recheck_seconds` for changes it was not told
about (deletes, imports, other processes). The computation itself goes
through `ensure_fresh`, which never runs two at a time: after new reports it
recomputes only their neighbourhood when it can (`incremental`), and every
`hotspot_full_recompute_minutes` the worker has everything recomputed in full.

While a worker runs, a public read that finds the unfiltered result stale
only `poke`s it instead of starting a computation of its own: under a steady
stream of reports every read found it stale, so reads started computations
back to back and the coalescing pause never applied. And a worker does not
queue behind a computation another process is running (its connection would
wait idle in a transaction): it waits for that one to end and pauses again,
so with several server processes the computations still come one pause
apart, not back to back. Measured in docs/RELIABILITY.md.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import weakref

from app.config import Settings
from app.db.pool import Database, DatabaseUnavailable
from app.domain.filters import DEFAULT_KEY, ReportFilter
from app.repo.hotspots.transaction import running
from app.services.hotspots.context import context_of
from app.services.hotspots.freshness import ensure_fresh

log = logging.getLogger(__name__)

# How often a waiting worker looks whether another process's computation ended.
POLL_SECONDS = 0.5
# After a quiet spell, a report that no other follows within this long starts
# the refresh at once instead of after the whole coalescing pause: one
# report then shows within about a refresh (issue 13), and a burst still
# costs one computation.
QUIET_SECONDS = 0.1


class HotspotWorker:
    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.dirty = asyncio.Event()
        self.task: asyncio.Task[None] | None = None
        self.runs = 0
        self.last_full: float | None = None  # time.monotonic() of the last full pass

    def notify(self) -> None:
        self.dirty.set()

    def start(self) -> None:
        self.dirty.set()  # bring the result up to date at start
        self.task = asyncio.create_task(self._loop(), name="hotspot-worker")
        _workers[self.db] = self

    async def stop(self) -> None:
        _workers.pop(self.db, None)
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    async def _settle(self) -> None:
        """Until no report came for QUIET_SECONDS, at most the coalescing pause."""
        deadline = time.monotonic() + self.settings.hotspot_coalesce_seconds
        while (left := deadline - time.monotonic()) > 0:
            self.dirty.clear()
            try:
                await asyncio.wait_for(self.dirty.wait(), timeout=min(QUIET_SECONDS, left))
            except TimeoutError:
                return

    async def _pause(self, idle: bool) -> None:
        """The coalescing pause, then until no other process is computing.

        After a quiet spell (`idle`) the first pause ends as soon as the
        reports stop coming; reports that came during a computation are a
        stream, and wait the whole pause, so computations stay one pause apart.
        A computation another process runs now started before the newest
        reports, so one is still needed after it; waiting for it and pausing
        again keeps the computations one pause apart.
        """
        if idle:
            await self._settle()
        else:
            await asyncio.sleep(self.settings.hotspot_coalesce_seconds)
        while True:
            if not await running(self.db):
                return
            while await running(self.db):
                await asyncio.sleep(POLL_SECONDS)
            await asyncio.sleep(self.settings.hotspot_coalesce_seconds)

    def full_due(self) -> bool:
        """Whether the next pass must leave no spliced (incremental) run behind."""
        every = self.settings.hotspot_full_recompute_minutes * 60
        return every <= 0 or self.last_full is None or time.monotonic() - self.last_full >= every

    async def _loop(self) -> None:
        ctx = context_of(self.settings)
        while True:
            idle = not self.dirty.is_set()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self.dirty.wait(), timeout=self.settings.hotspot_recheck_seconds
                )
            try:
                told = self.dirty.is_set()
                if told:
                    # Coalesce: reports arriving during this pause join this run.
                    await self._pause(idle)
                    self.dirty.clear()
                full = self.full_due()
                await ensure_fresh(self.db, ctx, ReportFilter(), full=full, told=told)
                if full:
                    self.last_full = time.monotonic()
                self.runs += 1
            except DatabaseUnavailable as exc:
                log.warning("hotspot recompute skipped, database unavailable: %s", exc)
            except Exception:  # keep the worker alive; the next change retries
                log.exception("hotspot recompute failed")


_workers: weakref.WeakKeyDictionary[Database, HotspotWorker] = weakref.WeakKeyDictionary()


def poke(db: Database, key: str) -> bool:
    """Tell the worker of `db` the result for `key` is stale; False: none keeps that key."""
    worker = _workers.get(db)
    if worker is None or key != DEFAULT_KEY:
        return False
    worker.notify()
    return True
