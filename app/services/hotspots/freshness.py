"""One computation at a time, fresh results for readers.

Readers take the newest completed run for their filters; `ensure_fresh`
recomputes only when that run's input or parameters are out of date: for the
unfiltered run, after new reports, first only their neighbourhood
(`incremental.refresh`), in full when that cannot be done exactly. An
asyncio lock per database (one computation per process) sits in front of the
advisory lock `compute` takes (one across processes).
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from app.db.pool import Database, Row
from app.domain.filters import DEFAULT_KEY, ReportFilter
from app.repo.hotspots.incremental_sql import was_incremental
from app.repo.hotspots.runs import input_version, is_fresh, latest_run
from app.services.hotspots import incremental
from app.services.hotspots.computation import compute
from app.services.hotspots.context import Context, Progress, quiet

log = logging.getLogger(__name__)

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
    full: bool = False,
    told: bool = False,
) -> Row | None:
    """The newest run for `filters`, recomputed first if its input changed.

    With `full`, a run spliced together by an incremental refresh counts as
    out of date too (the worker's periodic full recompute). With `told` (the
    worker was told of new reports) the quick look before the lock is skipped:
    the reports are counted once, under the lock.
    """
    key = filters.key()
    if not told:
        run, fresh = await _settled(db, ctx, key, full)
        if fresh:
            return run
    async with _lock(db):
        in_full = full or key != DEFAULT_KEY
        if not in_full:
            # The refresh and `compute` each look again, under the advisory
            # lock, whether whoever held the locks just brought it up to date
            # (counting the reports again here costs a noticeable part of a
            # refresh at 1M reports).
            outcome = await incremental.refresh(db, ctx, progress)
            in_full = isinstance(outcome, str) and outcome != incremental.FRESH
            if in_full:
                log.info("hotspots recomputed in full: %s", outcome)
        elif full:
            # Whoever held the lock may just have computed it.
            run, fresh = await _settled(db, ctx, key, full)
            in_full = not fresh
        if in_full:
            # Forced when the periodic full recompute replaces a spliced run
            # that is up to date.
            await compute(db, ctx, filters, progress=progress, timeout_ms=timeout_ms, force=full)
        run = await latest_run(db, key)
    return run


async def _settled(db: Database, ctx: Context, key: str, full: bool) -> tuple[Row | None, bool]:
    """The newest run of `key` and whether it is up to date (and, with `full`, not spliced)."""
    version = await input_version(db)
    run = await latest_run(db, key)
    fresh = is_fresh(run, version, ctx.params_hash)
    if fresh and full and run is not None:
        fresh = not await was_incremental(db, int(run["id"]))
    return run, fresh


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
