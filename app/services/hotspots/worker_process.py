"""The hotspot worker as a process of its own (`python -m app hotspot-worker`).

A recompute of 1M reports holds seconds of CPU in the process that runs it
(grid building, splitting, the Python half of the clustering); inside the web
process it shared the event loop and the GIL with every reader, and the staff
map waited 3 s on /api/v1/hotspots behind it (bench/map.py --trace). With
`hotspot_worker_process` the server runs a `Messenger` in the worker's place:
`poke` and `on_report_stored` still reach "the worker", which passes each
wake-up on as a NOTIFY and computes nothing. `run_forever` is the unchanged
`HotspotWorker` loop in its own process, woken by those notifications.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from app.config import Settings
from app.db.pool import Database, DatabaseUnavailable
from app.repo.hotspots import wakeup
from app.services import schema
from app.services.hotspots.worker import HotspotWorker

log = logging.getLogger(__name__)


class Messenger(HotspotWorker):
    """The server's stand-in for a worker in another process: wake-ups go out as NOTIFY."""

    async def _loop(self) -> None:
        while True:
            await self.dirty.wait()
            # Wake-ups arriving while this one is sent are covered by it: the
            # worker reads the reports after its own coalescing pause.
            self.dirty.clear()
            try:
                await wakeup.wake(self.db)
                self.runs += 1
            except DatabaseUnavailable as exc:
                # The worker's periodic recheck finds the change anyway.
                log.warning("could not wake the hotspot worker: %s", exc)
            except Exception:  # keep the messenger alive; the next report retries
                log.exception("could not wake the hotspot worker")


async def run_forever(db: Database, settings: Settings, stop: asyncio.Event) -> None:
    """Keep the unfiltered hotspots fresh until `stop` is set."""
    # Compose starts this beside the server, possibly before its migrations ran.
    if not await schema.wait_for_migrations(db, stop, "hotspot worker"):
        return
    worker = HotspotWorker(db, settings)
    worker.start()
    listener = asyncio.create_task(
        wakeup.listen(settings.database_url, worker.notify), name="hotspot-wakeup"
    )
    log.info("hotspot worker running; woken on %s", wakeup.CHANNEL)
    try:
        await stop.wait()
    finally:
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listener
        await worker.stop()
