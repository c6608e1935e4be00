"""Compute hotspots: the method of `geo.hotspots`, run in PostGIS, stored as a run.

A computation runs in one transaction on temp tables, under a PostgreSQL
advisory lock (one computation at a time across processes). Its result is
stored as a run with the parameters and the input version (data_version +
report count) it was computed from.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import orjson

from app.db.pool import Database
from app.domain.filters import DEFAULT_KEY, ReportFilter
from app.repo.hotspots import compute_sql, incremental_sql, runs, summary_sql, transaction
from app.repo.hotspots.places import Places, cluster_places, current_labels, ring_counts
from app.repo.hotspots.transaction import Tx
from app.services.hotspots import publication
from app.services.hotspots.breakdowns import breakdowns as person_breakdowns
from app.services.hotspots.context import Context, Progress, quiet
from app.services.hotspots.splitting import split_clusters
from geo import background, montecarlo, significance
from geo import hotspots as method
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES


@dataclass
class RunResult:
    run_id: int
    hotspots: int
    points: int
    k_mc: int
    k: int
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)


# --- Monte Carlo threshold, cached per (count, area, parameters) --------------

_mc_cache: dict[tuple[Any, ...], int] = {}


async def monte_carlo_k(tx: Tx, ctx: Context, noise_points: int) -> int:
    p = ctx.params
    n = montecarlo.rounded_count(noise_points)
    if n < p.minpoints:
        return 1
    key = (n, ctx.params_hash)
    if key in _mc_cache:
        return _mc_cache[key]
    sim = montecarlo.simulate(ctx.area_3006, n, p.mc_runs, p.mc_seed)
    largest = await compute_sql.monte_carlo_largest(
        tx, sim.runs, sim.xs, sim.ys, sim.nruns, p.eps, p.minpoints
    )
    k = montecarlo.threshold(largest, sim.quantile)
    if len(_mc_cache) > 256:
        _mc_cache.clear()
    _mc_cache[key] = k
    return k


def clear_threshold_cache() -> None:
    """Forget cached thresholds (benchmarks time the Monte Carlo test itself)."""
    _mc_cache.clear()
    _level_cache.clear()


# --- significance against the local background, cached per density level ---------

_level_cache: dict[tuple[Any, ...], significance.Level] = {}


def _level(ctx: Context, n: int, window: float) -> significance.Level:
    """The chance clusters of `n` points scattered over `window` m2."""
    p = ctx.params
    key = (n, window, ctx.params_hash)
    if key not in _level_cache:
        if len(_level_cache) > 256:
            _level_cache.clear()
        _level_cache[key] = significance.simulate_level(
            window, n, p.mc_runs, p.mc_seed, p.eps, p.minpoints
        )
    return _level_cache[key]


async def local_verdicts(
    tx: Tx, ctx: Context, k: int, cells: np.ndarray, mean: float, places: Places
) -> dict[int, significance.Verdict]:
    """Each final cluster judged against the chance clusters of its own background.

    Twice: first from the quieter ring sectors (a true place next door is not
    background), then from the busier sectors with the places that passed the
    first test left out (chance clusters are background, and at the edge of a
    busy centre its busy side is what counts).
    """
    clusters = await compute_sql.final_clusters(tx)
    if not clusters:
        return {}
    cids = [int(r["cid"]) for r in clusters]
    shares = background.sector_shares(
        ctx.area_3006,
        np.array([float(r["cx"]) for r in clusters]),
        np.array([float(r["cy"]) for r in clusters]),
    )
    passed: list[int] = []
    verdicts: dict[int, significance.Verdict] = {}
    rings = await asyncio.to_thread(
        ring_counts,
        places,
        clusters,
        inner=background.RING_INNER,
        outer=background.RING_OUTER,
        sectors=background.SECTORS,
    )
    for first in (True, False):
        counts = rings.excluding(passed)
        empty = [0] * background.SECTORS
        table = np.array([counts.get(c, empty) for c in cids])
        density = (
            background.background_density(table, shares)
            if first
            else background.second_density(table, shares)
        )
        # The Monte Carlo levels are seconds of CPU: off the event loop, so
        # requests keep being answered (and pooled connections returned) meanwhile.
        judged = await asyncio.to_thread(
            significance.judge_all,
            [int(r["reporters"]) for r in clusters],
            [float(r["m2"]) for r in clusters],
            density,
            cells,
            float(ctx.area_3006.area),
            lambda n, w: _level(ctx, n, w),
            k,
            ctx.params.local_significance,
            significance.saturation(ctx.params.eps),
            least=ctx.params.min_reporters,
            mean=mean,
        )
        verdicts = dict(zip(cids, judged, strict=True))
        passed = [c for c, v in verdicts.items() if not v.held]
    return verdicts


# --- the computation -------------------------------------------------------------


async def _hotspot_rows(
    tx: Tx,
    ctx: Context,
    filters: ReportFilter,
    final: dict[int, int],
    k: int,
    background: tuple[np.ndarray, float],
    places: Places,
    *,
    one_point_each: bool = False,
) -> list[dict[str, Any]]:
    """The final clusters' outlines and statistics, best first (held back ones last).

    `one_point_each`: every report made one point (`summary_sql.create_outlines`).
    """
    out = await summary_sql.create_outlines(
        tx, sorted(final), method.OUTLINE_BUFFER_M, places, one_point_each=one_point_each
    )
    verdicts = await local_verdicts(tx, ctx, k, *background, places)
    person_rows = await summary_sql.person_rows(tx, REASON_CODES, TIME_CODES, DAY_CODES)
    breakdowns = person_breakdowns(person_rows.masks)
    safe = await summary_sql.safe_nearby(tx, filters)
    coordinated = await summary_sql.coordination(tx, window_minutes=ctx.coordinated_window_minutes)
    people = await asyncio.to_thread(places.people_means, sorted(final))
    gate = publication.assess(ctx, sorted(final), people, person_rows)
    rows_out: list[dict[str, Any]] = []
    for row in out:
        cid = int(row["cid"])
        b = breakdowns.get(cid) or method.empty_breakdowns()
        severity = b["severity_mean"]
        reports = int(row["reports"])
        verdict = verdicts[cid]
        rows_out.append(
            {
                "cid": cid,
                "reporters": int(row["reporters"]),
                "reports": reports,
                "score": method.score(int(row["reporters"]), severity),  # type: ignore[arg-type]
                "reasons": orjson.dumps(b["reasons"]).decode(),
                "times": orjson.dumps(b["times"]).decode(),
                "days": orjson.dumps(b["days"]).decode(),
                "hours": orjson.dumps(b["hours"]).decode(),
                "severity_mean": severity,
                "safe_share": round(safe.get(cid, 0) / (safe.get(cid, 0) + reports), 4),
                "level": final[cid],
                "possibly_coordinated": coordinated.get(cid, False),
                "cx": float(row["cx"]),
                "cy": float(row["cy"]),
                **asdict(gate[cid]),
                "significance": orjson.dumps(verdict.as_dict()).decode(),
                "significance_held": verdict.held,
                # As stored (Verdict.as_dict), so a run can be re-ranked from its rows.
                "p_value": verdict.as_dict()["p_value"],
            }
        )
    # Held back places last; at equal score the less likely by chance first.
    rows_out.sort(
        key=lambda r: (
            r["significance_held"],
            -r["score"],
            1.0 if r["p_value"] is None else r["p_value"],
            -r["reporters"],
            r["cx"],
            r["cy"],
        )
    )
    return rows_out


async def compute(
    db: Database,
    ctx: Context,
    filters: ReportFilter | None = None,
    *,
    progress: Progress = quiet,
    force: bool = False,
    timeout_ms: int | None = None,
) -> RunResult | None:
    """Compute and store a run for `filters`; None when a fresh one already exists."""
    filters = filters or ReportFilter()
    key = filters.key()
    p = ctx.params
    started = time.perf_counter()
    async with db.transaction() as conn:
        tx = Tx(db, conn)
        # Ad-hoc staff filters run under a statement timeout (issue 10); the
        # others, waiting for the lock included, under none (a recompute at
        # 1M reports outlasts the web requests' limit).
        await transaction.unlimited(tx, timeout_ms)
        await transaction.lock(tx)
        version = await runs.input_version(db, conn)
        if not force and runs.is_fresh(
            await runs.latest_run(db, key, conn), version, ctx.params_hash
        ):
            return None
        reports = await compute_sql.create_source(tx, filters)
        made = await compute_sql.create_points(
            tx,
            step=method.LINE_STEP_M,
            small_polygon=method.SMALL_POLYGON_M2,
            lattice=method.LATTICE_M,
        )
        points = await compute_sql.create_person_places(tx, p.dedup_distance)
        progress(f"{points} person-places from the matching reports")
        places = await cluster_places(tx, p.eps, p.minpoints, store=False)
        noise = int(np.count_nonzero(places.labels < 0))
        k_mc = await monte_carlo_k(tx, ctx, noise)
        k = max(p.min_reporters, k_mc)
        progress(f"clustered; {noise} noise points, significance threshold k = {k}")
        # Clusters down to min_reporters are candidates where parts of the area
        # are quieter than the noise k scattered (a busy centre): there the
        # area-wide k is no floor and the local test decides. Small candidates
        # it holds back are not kept (issue 15).
        # Person-places per non-empty cell, counted on the arrays (as CELLS).
        state = incremental_sql.cells_of(places.x, places.y, places.root, background.CELL_M)
        cells = state.places
        mean = noise / max(float(ctx.area_3006.area), 1.0)
        least = p.min_reporters if significance.has_quiet_parts(cells, mean) else k
        if least < k:
            progress(f"quiet parts: clusters from {least} people go to the local test")
        final = await split_clusters(tx, ctx, k, progress, least=least, places=places)
        places = await current_labels(tx, places)
        rows_out = [
            r
            for r in await _hotspot_rows(
                tx, ctx, filters, final, k, (cells, mean), places, one_point_each=made == reports
            )
            if r["reporters"] >= k or not r["significance_held"]
        ]
        held = sum(r["significance_held"] for r in rows_out)
        progress(f"{held} of {len(rows_out)} held back by the local significance test")
        matched = method.match_identities(await summary_sql.match_candidates(tx))
        run_id, finished = await runs.insert_run(
            tx,
            {
                "key": key,
                "filters": orjson.dumps(filters.clustering()).decode(),
                "params": orjson.dumps(p.as_dict()).decode(),
                "hash": ctx.params_hash,
                "v": version[0],
                "n": version[1],
                "points": points,
                "k_mc": k_mc,
                "k": k,
                "count": len(rows_out),
                "ms": int((time.perf_counter() - started) * 1000),
            },
        )
        is_default = key == DEFAULT_KEY
        for rank, r in enumerate(rows_out, 1):
            identity = matched.get(r["cid"])
            if identity is None:
                identity = str(uuid.uuid4())
                await runs.new_identity(tx, identity, finished, r["cid"])
            elif is_default:
                # The unfiltered run moves the identity along with the place.
                await runs.move_identity(tx, identity, finished, r["cid"])
            await runs.insert_hotspot(tx, {**r, "run": run_id, "id": identity, "rank": rank})
        await runs.prune(tx, key, run_id, ctx.keep_filtered_runs)
        if is_default:  # what an incremental refresh starts from (issue 13)
            await incremental_sql.store_state(tx, run_id, state, incremental=False)
    seconds = time.perf_counter() - started
    progress(f"stored run {run_id}: {len(rows_out)} hotspots in {seconds:.2f} s")
    return RunResult(run_id, len(rows_out), points, k_mc, k, seconds)
