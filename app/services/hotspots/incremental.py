"""Incremental freshness (issue 13): after new reports, recompute only their neighbourhood.

DBSCAN's components are independent: a new person-place can only change the
level-0 clusters within reach of it (two eps: it can make a neighbour a core,
which reaches one eps further). Everything else the method does to a cluster
(density splits, outline, statistics, publication gate) depends on that
cluster's own points; only the local significance test looks further, at
the person-places in a ring (RING_OUTER) around the cluster's centre, and in
its second pass at whether the clusters in that ring passed the first.

So a refresh:

1. takes the reports received since the previous unfiltered run started, and
   runs the whole computation (`computation`'s steps, unchanged) on a
   *window*: the reports in a box around them;
2. finds the *changed* person-places: the new ones and those of the level-0
   clusters within reach of them (or whose outline holds a new report), and
   the *zone* of final clusters whose results may change: centred within two
   rings (plus the widest cluster) of a changed person-place;
3. checks that the window saw everything those clusters depend on: no level-0
   cluster near the zone reaches the window's edge band, and the zone's
   rings of rings lie inside the window; otherwise it grows the window and
   tries again, up to `max_reports`;
4. uses the previous run's threshold k when the area-wide noise count (kept
   per cell with each run, `hotspot_run_state`) stays on the same rounding
   step, and the same quiet-parts floor; otherwise it gives up;
5. stores a new run in one transaction under the computation's advisory lock:
   the window's hotspots centred in the zone, and the previous run's hotspots
   centred outside it (moved into the new run), ranked together; identities are matched as a
   full run matches them.

Whenever it cannot be sure, it returns why, and the caller recomputes in full.
What it does not reproduce exactly is in docs/SCALING.md ("Incremental
freshness").
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import orjson

from app.db.pool import Database, Row
from app.domain.filters import DEFAULT_KEY, ReportFilter
from app.repo.hotspots import compute_sql, runs, summary_sql, transaction
from app.repo.hotspots import incremental_sql as isql
from app.repo.hotspots.incremental_sql import CellState
from app.repo.hotspots.places import cluster_places, current_labels
from app.repo.hotspots.transaction import Tx
from app.services.hotspots.computation import RunResult, _hotspot_rows
from app.services.hotspots.context import Context, Progress, quiet
from app.services.hotspots.splitting import split_clusters
from geo import background, montecarlo, significance
from geo import hotspots as method

FRESH = "already fresh"
# Reports received this long before the previous run started may still have
# been committed after its snapshot (a transaction begun earlier): those of
# them the run did not note as seen (hotspot_run_state.recent) are new too.
SINCE_MARGIN = timedelta(seconds=isql.RECENT_SECONDS)
# A window bigger than this, or holding more than this share of all reports,
# costs about what the full recompute it would save costs (one dense town: its
# whole level-0 cluster is the neighbourhood).
MAX_REPORTS = 200_000
MAX_SHARE = 0.5
SHARE_FROM = 20_000  # below this many reports either way takes a few seconds at most
ATTEMPTS = 3

Box = tuple[float, float, float, float]


class _Grow(Exception):
    """The window was too small: try again with `box`."""

    def __init__(self, box: Box) -> None:
        super().__init__("grow the window")
        self.box = box


def grow(box: Box, by: float) -> Box:
    return box[0] - by, box[1] - by, box[2] + by, box[3] + by


def union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def inside(a: Box, b: Box) -> bool:
    """Whether box `a` lies within box `b`."""
    return a[0] >= b[0] and a[1] >= b[1] and a[2] <= b[2] and a[3] <= b[3]


def snap(box: Box, cell: float) -> Box:
    """`box` grown to whole cells."""
    return (
        float(np.floor(box[0] / cell) * cell),
        float(np.floor(box[1] / cell) * cell),
        float(np.ceil(box[2] / cell) * cell),
        float(np.ceil(box[3] / cell) * cell),
    )


def band(ctx: Context) -> float:
    """How far from the window's edge its results may be cut short.

    A point's level-0 label depends on the points within two eps; a
    person-place on its person's reports within the dedup distance.
    """
    return 2 * ctx.params.eps + ctx.params.dedup_distance + 1.0


def first_margin(ctx: Context) -> float:
    """The first window's margin around the new reports: four rings, four
    clusters of twice the widest kind a split leaves (max_extent), and the band.

    Generous, so the first window usually holds everything `_zone` asks for:
    a second attempt costs more than the extra reports.
    """
    return 4 * background.RING_OUTER + 4 * ctx.params.max_extent + band(ctx)


def least_of(ctx: Context, state: CellState, k: int) -> int:
    """The smallest cluster the local test judges (computation.compute's `least`)."""
    mean = state.noise_total / max(float(ctx.area_3006.area), 1.0)
    quiet_parts = significance.has_quiet_parts(state.places, mean)
    return ctx.params.min_reporters if quiet_parts else k


def interior(window: Box, cell: float) -> tuple[int, int, int, int]:
    """The cells of a snapped window without its outer ring (cell indices, inclusive)."""
    gx0, gy0 = round(window[0] / cell), round(window[1] / cell)
    gx1, gy1 = round(window[2] / cell) - 1, round(window[3] / cell) - 1
    return gx0 + 1, gy0 + 1, gx1 - 1, gy1 - 1


def _sort_key(r: dict[str, Any]) -> tuple[Any, ...]:
    # computation._hotspot_rows' order: held back last, then score, p-value, people.
    return (
        bool(r["significance_held"]),
        -float(r["score"]),
        1.0 if r["p_value"] is None else float(r["p_value"]),
        -int(r["reporters"]),
        float(r["cx"]),
        float(r["cy"]),
    )


async def refresh(
    db: Database,
    ctx: Context,
    progress: Progress = quiet,
    *,
    max_reports: int = MAX_REPORTS,
) -> RunResult | str:
    """Bring the unfiltered run up to date by recomputing the new reports'
    neighbourhood; the new run, or why not (FRESH: nothing to do)."""
    box: Box | None = None
    for _ in range(ATTEMPTS):
        try:
            return await _attempt(db, ctx, progress, box, max_reports)
        except _Grow as more:
            box = more.box
    return "the neighbourhood kept growing"


async def _attempt(
    db: Database, ctx: Context, progress: Progress, box: Box | None, max_reports: int
) -> RunResult | str:
    p = ctx.params
    cell = background.CELL_M
    started = time.perf_counter()
    async with db.transaction() as conn:
        tx = Tx(db, conn)
        await transaction.lock(tx)
        version = await runs.input_version(db, conn)
        prev = await runs.latest_run(db, DEFAULT_KEY, conn)
        if prev is None:
            return "no previous run"
        if runs.is_fresh(prev, version, ctx.params_hash):
            return FRESH
        why = _unusable(prev, version, ctx)
        if why:
            return why
        loaded = await isql.load_state(tx, int(prev["id"]))
        if loaded is None:
            return "the previous run kept no state"
        state, seen = loaded
        since = prev["started_at"] - SINCE_MARGIN
        count, new_box = await isql.new_reports(tx, since, seen)
        # The new reports must be exactly what the table grew by. Fewer: some
        # came in with an older received_at, so which are new cannot be told.
        # More: some went without moving data_version (a TRUNCATE, rows deleted
        # outside the app), and kept hotspots may stand on reports that are gone.
        if count != version[1] - int(prev["input_reports"]):
            return "cannot tell which reports are new"
        await transaction.unlimited(tx)
        window = snap(box or grow(new_box, first_margin(ctx)), cell)
        most = max_reports
        if version[1] >= SHARE_FROM:
            most = min(most, int(MAX_SHARE * version[1]))
        if await isql.window_holds_more(tx, window, most):
            return f"the neighbourhood holds more than {most} of {version[1]} reports"
        reports = await isql.create_window_source(tx, window)
        progress(f"window of {reports} reports")
        # Steps 1-3 of the computation on the window.
        await compute_sql.create_points(
            tx,
            step=method.LINE_STEP_M,
            small_polygon=method.SMALL_POLYGON_M2,
            lattice=method.LATTICE_M,
        )
        await compute_sql.create_person_places(tx, p.dedup_distance)
        places = await cluster_places(tx, p.eps, p.minpoints)
        # The area-wide inputs: the previous run's cells, with the window's
        # inner cells (exact: away from its edge) recounted.
        inner = interior(window, cell)
        now = state.outside(inner).plus(_within(await isql.computed_cells(tx, cell), inner))
        if montecarlo.rounded_count(now.noise_total) != montecarlo.rounded_count(state.noise_total):
            return "the noise count left its rounding step (a new threshold k)"
        k_mc, k = int(prev["k_mc"]), int(prev["k_threshold"])
        least = least_of(ctx, now, k)
        if least != least_of(ctx, state, k):
            return "the area's quiet parts changed"
        mean = now.noise_total / max(float(ctx.area_3006.area), 1.0)
        final = await split_clusters(tx, ctx, k, progress, least=least, places=places)
        places = await current_labels(tx, places)
        rows = [
            r
            for r in await _hotspot_rows(
                tx, ctx, ReportFilter(), final, k, (now.places, mean), places
            )
            if r["reporters"] >= k or not r["significance_held"]
        ]
        zone = await _zone(tx, ctx, (since, seen), new_box, window)
        replaced = await isql.centred_in(tx, zone)
        fresh = [r for r in rows if r["cid"] in replaced]
        kept = await isql.kept_hotspots(tx, int(prev["id"]), zone)
        matched = method.match_identities(await summary_sql.match_candidates(tx))
        kept_ids = {str(h["id"]) for h in kept}
        if any(matched.get(r["cid"]) in kept_ids for r in fresh):
            return "a new hotspot took a kept hotspot's identity"
        run_id, finished = await runs.insert_run(
            tx,
            {
                "key": DEFAULT_KEY,
                "filters": orjson.dumps(ReportFilter().clustering()).decode(),
                "params": orjson.dumps(p.as_dict()).decode(),
                "hash": ctx.params_hash,
                "v": version[0],
                "n": version[1],
                "points": now.places_total,
                "k_mc": k_mc,
                "k": k,
                "count": len(fresh) + len(kept),
                "ms": int((time.perf_counter() - started) * 1000),
            },
        )
        moved: list[tuple[str, int]] = []
        ranked = sorted([*fresh, *kept], key=_sort_key)
        for rank, r in enumerate(ranked, 1):
            if "cid" not in r:
                moved.append((str(r["id"]), rank))
                continue
            identity = matched.get(r["cid"])
            if identity is None:
                identity = str(uuid.uuid4())
                await runs.new_identity(tx, identity, finished, r["cid"])
            else:
                await runs.move_identity(tx, identity, finished, r["cid"])
            await runs.insert_hotspot(tx, {**r, "run": run_id, "id": identity, "rank": rank})
        await isql.move_hotspots(
            tx, int(prev["id"]), run_id, [i for i, _ in moved], [n for _, n in moved], finished
        )
        await isql.store_state(
            tx, run_id, now, incremental=True, margin=SINCE_MARGIN.total_seconds()
        )
        await runs.prune(tx, DEFAULT_KEY, run_id, ctx.keep_filtered_runs)
    seconds = time.perf_counter() - started
    progress(
        f"stored run {run_id} incrementally: {len(fresh)} recomputed, {len(kept)} kept "
        f"hotspots in {seconds:.2f} s"
    )
    return RunResult(run_id, len(ranked), now.places_total, k_mc, k, seconds)


def _unusable(prev: Row, version: tuple[int, int], ctx: Context) -> str:
    """Why the previous run cannot be brought up to date incrementally ('' if it can)."""
    if prev["params_hash"] != ctx.params_hash:
        return "the parameters changed"
    if int(prev["input_version"]) != version[0]:
        # data_version moves on deletes, moderation and erasure, never on inserts.
        return "reports changed other than by new ones"
    if version[1] <= int(prev["input_reports"]):
        return "no new reports"
    return ""


def _within(cells: CellState, box: tuple[int, int, int, int]) -> CellState:
    x0, y0, x1, y1 = box
    keep = (cells.gx >= x0) & (cells.gx <= x1) & (cells.gy >= y0) & (cells.gy <= y1)
    return CellState(cells.gx[keep], cells.gy[keep], cells.places[keep], cells.noise[keep])


async def _zone(
    tx: Tx, ctx: Context, new: tuple[datetime, list[str]], new_box: Box, window: Box
) -> Box:
    """The box of final-cluster centres whose results the new reports can change.

    Raises _Grow when the window does not hold everything they depend on.
    """
    p = ctx.params
    ring = background.RING_OUTER
    roots = await isql.changed_roots(tx, *new, 2 * p.eps)
    changed = await isql.changed_box(tx, roots, *new)
    changed = new_box if changed is None else union(changed, new_box)
    wide = await isql.widest(tx)
    # A cluster centred within a ring of a changed place (first pass), or
    # within a ring of such a cluster's places (second pass).
    zone = grow(changed, 2 * ring + wide)
    # Their rings, their ring's clusters' rings, complete and away from the edge.
    needed = grow(zone, 2 * ring + wide + band(ctx))
    edge = grow(window, -band(ctx))
    if not inside(needed, edge):
        raise _Grow(grow(union(needed, window), band(ctx)))
    if await isql.cut_clusters(tx, grow(zone, ring + wide), edge):
        raise _Grow(grow(window, first_margin(ctx)))
    return zone
