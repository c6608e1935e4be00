"""Which database serves a public hotspot read: the hot standby when its newest run is fresh.

A standby only reads, so it can never recompute. When its newest run matches
its input the whole read stays there; otherwise the primary answers (and
recomputes as before), and while the primary is down the standby's newest run
is served, marked stale.
"""

from __future__ import annotations

from app.db.pool import Database, DatabaseUnavailable, Row
from app.domain.filters import ReportFilter
from app.repo.hotspots.runs import input_version, is_fresh, latest_run
from app.services.hotspots.context import Context
from app.services.hotspots.freshness import current_run


async def run_for_read(
    primary: Database, read: Database, ctx: Context, filters: ReportFilter, wait: float | None
) -> tuple[Row | None, bool, Database]:
    """(run, stale, the database to read the run's hotspots from)."""
    if read is primary:
        run, stale = await current_run(primary, ctx, filters, wait)
        return run, stale, primary
    try:
        version = await input_version(read)
        standby_run = await latest_run(read, filters.key())
    except DatabaseUnavailable:
        run, stale = await current_run(primary, ctx, filters, wait)
        return run, stale, primary
    if is_fresh(standby_run, version, ctx.params_hash):
        return standby_run, False, read
    try:
        run, stale = await current_run(primary, ctx, filters, wait)
    except DatabaseUnavailable:
        return standby_run, True, read
    return run, stale, primary
