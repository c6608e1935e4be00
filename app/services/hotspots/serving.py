"""Serving hotspot runs to readers without letting one visitor slow the map (issue 10).

- A read never waits on a recompute when a run for its filters exists,
  public or staff: it gets that run at once, marked stale when newer input
  exists, and a refresh is queued in the background.
- Background refreshes are coalesced per filter and bounded in number
  (`MAX_PENDING` per process); beyond that a read simply gets the stale run.
  The unfiltered result is left to the background worker when one runs
  (`worker.poke`), so it is recomputed one coalescing pause apart.
- Only when no run exists yet does a read wait: a public read (up to `wait`
  seconds) for a queued refresh of the fixed public filters, a staff read for
  its own ad-hoc computation. That one runs under a statement timeout and
  holds a slot (`app.repo.hotspots.slots`): at most `user_limit` per staff user
  and `APP_WIDE_AD_HOC` in all, counted in the database, so across every
  worker process; beyond either, 429 with Retry-After.
- Public reads go to the hot standby (`read`) when it has a fresh run, and
  keep being served from it, marked stale, while the primary is down.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import psycopg.errors

from app.db.pool import Database, DatabaseUnavailable, Row
from app.domain.filters import ReportFilter
from app.errors import TooManyRequests, Unprocessable
from app.repo.hotspots import slots
from app.repo.hotspots.runs import input_version, is_fresh, latest_run, run_exists
from app.services.hotspots.context import Context
from app.services.hotspots.freshness import ensure_fresh
from app.services.hotspots.worker import poke

MAX_PENDING = 4
# Ad-hoc computations waiting or running at once, all staff and processes together:
# they queue on one advisory lock, so more would only hold connections.
APP_WIDE_AD_HOC = 4
RETRY_AFTER_SECONDS = 5

_pending: dict[tuple[int, str], asyncio.Task[Row | None]] = {}
# Reads of one run that may be pruned between choosing it and reading it.
REREADS = 3
T = TypeVar("T")


@dataclass(frozen=True)
class Served:
    run: Row | None
    stale: bool
    source: Database  # where the run's hotspots are read from (primary or standby)


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


async def _compute_ad_hoc(
    db: Database,
    ctx: Context,
    filters: ReportFilter,
    user: str,
    user_limit: int,
    timeout_ms: int | None,
) -> None:
    """A staff user's own computation, in a slot and under a statement timeout."""
    async with slots.hold(db, user, user_limit, APP_WIDE_AD_HOC) as held:
        if not held:
            raise TooManyRequests(
                "Too many hotspot computations are running (yours or everyone's); "
                "try again shortly.",
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )
        try:
            await ensure_fresh(db, ctx, filters, timeout_ms=timeout_ms)
        except psycopg.errors.QueryCanceled as exc:
            seconds = (timeout_ms or 0) / 1000
            raise Unprocessable(
                f"these filters took longer than {seconds:g} s to compute; "
                "narrow the period, area or reasons"
            ) from exc


async def _on_primary(
    db: Database,
    ctx: Context,
    filters: ReportFilter,
    wait: float,
    user: str | None,
    user_limit: int,
    timeout_ms: int | None,
) -> Served:
    key = filters.key()
    run = await latest_run(db, key)
    if run is not None:
        if is_fresh(run, await input_version(db), ctx.params_hash):
            return Served(run, False, db)
        # The background worker keeps the unfiltered result, coalescing reports.
        if not poke(db, key):
            _refresh_later(db, ctx, filters)
        return Served(run, True, db)
    if user is None:
        task = _refresh_later(db, ctx, filters)
        if task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), timeout=wait)
    else:
        await _compute_ad_hoc(db, ctx, filters, user, user_limit, timeout_ms)
    run = await latest_run(db, key)
    stale = run is None or not is_fresh(run, await input_version(db), ctx.params_hash)
    return Served(run, stale, db)


async def serve(
    db: Database,
    ctx: Context,
    filters: ReportFilter,
    *,
    wait: float,
    read: Database | None = None,
    user: str | None = None,
    user_limit: int = 2,
    timeout_ms: int | None = None,
) -> Served:
    """The run to answer with for `filters`: `user` None for a public read, which
    may come from `read` (the hot standby)."""
    if read is None or read is db or user is not None:
        return await _on_primary(db, ctx, filters, wait, user, user_limit, timeout_ms)
    try:
        version = await input_version(read)
        standby_run = await latest_run(read, filters.key())
    except DatabaseUnavailable:
        return await _on_primary(db, ctx, filters, wait, None, user_limit, timeout_ms)
    if is_fresh(standby_run, version, ctx.params_hash):
        return Served(standby_run, False, read)
    try:
        return await _on_primary(db, ctx, filters, wait, None, user_limit, timeout_ms)
    except DatabaseUnavailable:
        # The primary is down: the standby's newest run, as the last completed one.
        return Served(standby_run, True, read)


async def read_current(
    served: Served,
    serve_again: Callable[[], Awaitable[Served]],
    read: Callable[[Served], Awaitable[T]],
) -> tuple[Served, T]:
    """`read` the run `served` chose, choosing again if that run was pruned meanwhile.

    A newer run prunes the one before it in the transaction that stores it
    (an incremental refresh even moves its kept hotspots), so a reader who
    chose the old run just before that commit and read its hotspots just
    after would find none: an empty map or a 404 for a hotspot that is there.
    A run that still exists after the read was read whole.
    """
    for _ in range(REREADS - 1):
        result = await read(served)
        if served.run is None or await run_exists(served.source, int(served.run["id"])):
            return served, result
        served = await serve_again()
    return served, await read(served)
