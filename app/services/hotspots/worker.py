"""Background recomputation of the unfiltered hotspots.

`notify()` (wired to `app.state.on_report_stored`) marks the result stale;
the worker waits `hotspot_coalesce_seconds` after the first new report so a
burst of reports costs one computation, then brings the result up to date.
It also checks every `hotspot_recheck_seconds` for changes it was not told
about (deletes, imports, other processes). The computation itself goes
through `ensure_fresh`, which never runs two at a time: after new reports it
recomputes only their neighbourhood when it can (`incremental`), and every
`hotspot_full_recompute_minutes` the worker has everything recomputed in full.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from app.config import Settings
from app.db.pool import Database, DatabaseUnavailable
from app.domain.filters import ReportFilter
from app.services.hotspots.context import context_of
from app.services.hotspots.freshness import ensure_fresh

log = logging.getLogger(__name__)


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

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    def full_due(self) -> bool:
        """Whether the next pass must leave no spliced (incremental) run behind."""
        every = self.settings.hotspot_full_recompute_minutes * 60
        return every <= 0 or self.last_full is None or time.monotonic() - self.last_full >= every

    async def _loop(self) -> None:
        ctx = context_of(self.settings)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self.dirty.wait(), timeout=self.settings.hotspot_recheck_seconds
                )
            if self.dirty.is_set():
                # Coalesce: reports arriving during this pause join this run.
                await asyncio.sleep(self.settings.hotspot_coalesce_seconds)
                self.dirty.clear()
            try:
                full = self.full_due()
                await ensure_fresh(self.db, ctx, ReportFilter(), full=full)
                if full:
                    self.last_full = time.monotonic()
                self.runs += 1
            except DatabaseUnavailable as exc:
                log.warning("hotspot recompute skipped, database unavailable: %s", exc)
            except Exception:  # keep the worker alive; the next change retries
                log.exception("hotspot recompute failed")
