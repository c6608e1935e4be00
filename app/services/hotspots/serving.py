"""Serving hotspot runs to readers without letting one visitor slow the map (issue 10).

- A public read never waits on a recompute when a run for its filters
  exists: it gets that run at once, marked stale when newer input exists,
  and a refresh is queued in the background. Staff reads wait for that
  refresh, at most `wait` seconds.
- Background refreshes are coalesced per filter and bounded in number
  (`MAX_PENDING`); beyond that a read simply gets the stale run.
- Only when no run exists yet does a read wait (up to `wait` seconds): a
  public read for a queued refresh, a staff read for its own computation,
  which runs under a statement timeout and counts against a per-user limit
  (`TooManyRequests` with Retry-After beyond it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

from app.db.pool import Database, Row
from app.domain.filters import ReportFilter
from app.errors import TooManyRequests
from app.repo.hotspots.runs import input_version, is_fresh, latest_run
from app.services.hotspots.context import Context
from app.services.hotspots.freshness import ensure_fresh

MAX_PENDING = 4
RETRY_AFTER_SECONDS = 5

_pending: dict[tuple[int, str], asyncio.Task[Row | None]] = {}
_running: dict[str, int] = {}


@dataclass(frozen=True)
class Served:
    run: Row | None
    stale: bool


def _refresh_later(
    db: Database, ctx: Context, filters: ReportFilter
) -> asyncio.Task[Row | None] | None:
    """Queue a refresh of `filters` (one per filter at a time); None when the queue is full."""
    key = (id(db), filters.key())
    task = _pending.get(key)
    if task is not None:
        return task
    if len(_pending) >= MAX_PENDING:
        return None
    task = asyncio.ensure_future(ensure_fresh(db, ctx, filters))
    _pending[key] = task
    task.add_done_callback(lambda _: _pending.pop(key, None))
    # A failed background refresh is retried by the next read; do not warn.
    task.add_done_callback(lambda t: t.cancelled() or t.exception())
    return task


@contextlib.asynccontextmanager
async def _slot(user: str, limit: int) -> AsyncIterator[None]:
    """One of `limit` concurrent ad-hoc computations of one staff user."""
    if _running.get(user, 0) >= limit:
        raise TooManyRequests(
            "You already have hotspot computations running; try again shortly.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    _running[user] = _running.get(user, 0) + 1
    try:
        yield
    finally:
        _running[user] -= 1
        if not _running[user]:
            del _running[user]


async def serve(
    db: Database,
    ctx: Context,
    filters: ReportFilter,
    *,
    wait: float,
    user: str | None = None,
    user_limit: int = 2,
    timeout_ms: int | None = None,
) -> Served:
    """The run to answer with for `filters`: `user` None for a public read."""
    key = filters.key()
    run = await latest_run(db, key)
    if run is not None:
        if is_fresh(run, await input_version(db), ctx.params_hash):
            return Served(run, False)
        task = _refresh_later(db, ctx, filters)
        if user is None or task is None:
            return Served(run, True)
        # Staff work on what was just reported: they wait (at most `wait`) for the
        # queued refresh; the public never do.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(task), timeout=wait)
        run = await latest_run(db, key) or run
        return Served(run, not is_fresh(run, await input_version(db), ctx.params_hash))
    if user is None:
        task = _refresh_later(db, ctx, filters)
        if task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), timeout=wait)
    else:
        async with _slot(user, user_limit):
            await ensure_fresh(db, ctx, filters, timeout_ms=timeout_ms)
    run = await latest_run(db, key)
    return Served(run, run is None or not is_fresh(run, await input_version(db), ctx.params_hash))
