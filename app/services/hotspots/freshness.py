"""One computation at a time, fresh results for readers.

Readers take the newest completed run for their filters; `ensure_fresh`
recomputes only when that run's input or parameters are out of date. An
asyncio lock per database (one computation per process) sits in front of the
advisory lock `compute` takes (one across processes).
"""

from __future__ import annotations

import asyncio
import weakref

from app.db.pool import Database, Row
from app.domain.filters import ReportFilter
from app.repo.hotspots.runs import input_version, is_fresh, latest_run
from app.services.hotspots.computation import compute
from app.services.hotspots.context import Context, Progress, quiet

_locks: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()
_tasks: set[asyncio.Task[Row | None]] = set()


def _lock(db: Database) -> asyncio.Lock:
    lock = _locks.get(db)
    if lock is None:
        lock = _locks[db] = asyncio.Lock()
    return lock


async def ensure_fresh(
    db: Database,
    ctx: Context,
    filters: ReportFilter,
    progress: Progress = quiet,
    *,
    timeout_ms: int | None = None,
) -> Row | None:
    """The newest run for `filters`, recomputed first if its input changed."""
    key = filters.key()
    version = await input_version(db)
    run = await latest_run(db, key)
    if is_fresh(run, version, ctx.params_hash):
        return run
    async with _lock(db):
        # Whoever held the lock may just have computed it.
        version = await input_version(db)
        run = await latest_run(db, key)
        if not is_fresh(run, version, ctx.params_hash):
            await compute(db, ctx, filters, progress=progress, timeout_ms=timeout_ms)
            run = await latest_run(db, key)
    return run


async def current_run(
    db: Database, ctx: Context, filters: ReportFilter, wait: float | None
) -> tuple[Row | None, bool]:
    """(run, stale): waits up to `wait` seconds for a fresh run, else the last completed.

    The computation goes on in the background when the wait runs out, so a
    slow computation is never started twice by impatient readers.
    """
    task = asyncio.ensure_future(ensure_fresh(db, ctx, filters))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)
    try:
        run = await asyncio.wait_for(asyncio.shield(task), timeout=wait)
        return run, False
    except TimeoutError:
        return await latest_run(db, filters.key()), True
