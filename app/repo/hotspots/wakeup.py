"""Waking the hotspot worker process through the database (NOTIFY / LISTEN).

With `hotspot_worker_process` the worker runs as `python -m app hotspot-worker`,
so a server process cannot set its event: `wake` notifies CHANNEL instead, and
`listen` calls back for every notification. A notification lost while the
worker's connection is down only delays the recompute to the worker's next
recheck (`hotspot_recheck_seconds`); a reconnect counts as one wake-up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import psycopg
from sqlalchemy import text

from app.db.pool import Database

CHANNEL = "trygg_hotspots_stale"
# How often a quiet listening connection is checked, and the pause before a reconnect.
CHECK_SECONDS = 10.0
RETRY_SECONDS = 2.0

log = logging.getLogger(__name__)

_WAKE = text(f"SELECT pg_notify('{CHANNEL}', '')")


async def wake(db: Database) -> None:
    """Tell the worker process the unfiltered hotspots may be stale."""
    await db.execute(_WAKE)


async def listen(url: str, heard: Callable[[], None]) -> None:
    """Call `heard` for every wake-up, for ever (cancel to stop)."""
    while True:
        try:
            conn = await psycopg.AsyncConnection.connect(
                url, autocommit=True, connect_timeout=5, application_name="trygghetskartan-hotspots"
            )
            async with conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                heard()  # anything before LISTEN took effect went unheard
                while True:
                    async for _ in conn.notifies(timeout=CHECK_SECONDS):
                        heard()
                    await asyncio.wait_for(conn.execute("SELECT 1"), CHECK_SECONDS)
        except (psycopg.Error, OSError, TimeoutError) as exc:
            log.warning("hotspot wake-up listener lost (%s); rechecks go on", exc)
        await asyncio.sleep(RETRY_SECONDS)
