"""Computing, storing and reading hotspots.

A computation runs the method of `geo.hotspots` in one transaction on temp
tables, under a PostgreSQL advisory lock (one computation at a time across
processes) and an asyncio lock (one per process). Its result is stored as a
run with the parameters and the input version (data_version + report count)
it was computed from. Readers take the newest completed run for their
filters; `ensure_fresh` recomputes only when that run's input or parameters
are out of date.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
from shapely.geometry.base import BaseGeometry

from app.config import Settings
from app.db.pool import AsyncConn, Database, Row
from app.domain.filters import DEFAULT_KEY, ReportFilter
from app.repo.rate_counters import coordination_by_group
from geo import hotspots as method
from geo import significance
from geo.area import load_area
from geo.crs import to_sweref

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
ADVISORY_KEY = 3_000_003  # one computation at a time across processes


def _quiet(_: str) -> None:
    return None


def params_of(settings: Settings) -> method.Params:
    return method.Params(
        eps=settings.hotspot_eps,
        minpoints=settings.hotspot_minpoints,
        dedup_distance=settings.hotspot_dedup_distance,
        min_reporters=settings.hotspot_min_reporters,
        mc_runs=settings.hotspot_mc_runs,
        mc_seed=settings.hotspot_mc_seed,
        max_extent=settings.hotspot_max_extent,
    )


@lru_cache(maxsize=8)
def _area_3006(path: str | None) -> BaseGeometry:
    from pathlib import Path

    return to_sweref(load_area(Path(path) if path else None).polygon)


@dataclass
class Context:
    """Everything a computation needs besides the database."""

    params: method.Params
    area_3006: BaseGeometry
    public_min_reporters: int = 5
    coordinated_window_minutes: int = 60

    @property
    def params_hash(self) -> str:
        return self.params.digest(self.area_3006.wkt)


def context_of(settings: Settings) -> Context:
    area = _area_3006(str(settings.service_area) if settings.service_area else None)
    return Context(
        params_of(settings),
        area,
        settings.public_min_reporters,
        settings.coordinated_window_minutes,
    )


# --- Monte Carlo threshold, cached per (count, area, parameters) --------------

_mc_cache: dict[tuple[Any, ...], int] = {}


async def monte_carlo_k(conn: AsyncConn, ctx: Context, noise_points: int) -> int:
    p = ctx.params
    n = significance.rounded_count(noise_points)
    if n < p.minpoints:
        return 1
    key = (n, ctx.params_hash)
    if key in _mc_cache:
        return _mc_cache[key]
    sim = significance.simulate(ctx.area_3006, n, p.mc_runs, p.mc_seed)
    cur = await conn.execute(
        significance.MC_SQL,
        {
            "runs": sim.runs.tolist(),
            "xs": sim.xs.tolist(),
            "ys": sim.ys.tolist(),
            "eps": p.eps,
            "minpoints": p.minpoints,
            "nruns": sim.nruns,
        },
    )
    largest = [int(r["largest"]) for r in await cur.fetchall()]
    k = significance.threshold(largest, sim.quantile)
    if len(_mc_cache) > 256:
        _mc_cache.clear()
    _mc_cache[key] = k
    return k


# --- the computation -------------------------------------------------------------


async def _rows(conn: AsyncConn, sql: str, params: Mapping[str, Any] | None = None) -> list[Row]:
    cur = await conn.execute(sql, params)
    return await cur.fetchall() if cur.description else []


def _cluster(row: Row) -> method.Cluster:
    return method.Cluster(
        cid=int(row["cid"]),
        n=int(row["n"]),
        reporters=int(row["reporters"]),
        cx=float(row["cx"]),
        cy=float(row["cy"]),
        extent=float(row["extent"] or 0.0),
        neighbours=float(row["neighbours"] or 0.0),
    )


async def _stats(conn: AsyncConn, eps: float, cids: list[int]) -> dict[int, method.Cluster]:
    rows = await _rows(conn, method.CLUSTER_STATS, {"cids": cids, "eps": eps})
    return {c.cid: c for c in map(_cluster, rows)}


async def _run_all(conn: AsyncConn, statements: tuple[str, ...], params: dict[str, Any]) -> None:
    for statement in statements:
        await conn.execute(statement, params if "%(" in statement else None)


async def _split_clusters(
    conn: AsyncConn, ctx: Context, k: int, progress: Progress
) -> dict[int, int]:
    """Split clusters at density valleys; returns cluster id -> level of the final clusters.

    Each cluster (an *anchor*) has a *probe*: its points that are still dense
    at the current minpoints. Each level re-clusters every probe at a higher
    minpoints (see `geo.hotspots.split_outcome` for what happens then).
    """
    p = ctx.params
    rows = await _rows(conn, "SELECT DISTINCT cid FROM hs_lab WHERE cid IS NOT NULL")
    all_cids = [int(r["cid"]) for r in rows]
    anchors = await _stats(conn, p.eps, all_cids)
    # Clusters with fewer than k people are not final, so the relabelling at
    # the end (method.RELABEL) drops them.
    # anchor id -> (its probe, the probe's minpoints, its sample's hash buckets)
    trying = {
        c.cid: (c, p.minpoints, 1024)
        for c in anchors.values()
        if c.reporters >= k and method.may_split(c, k, p.eps, p.max_extent)
    }
    level_of = dict.fromkeys(anchors, 0)
    keep_of = dict.fromkeys(anchors, 1024)  # hash buckets of the sample a cluster was found on
    root_of = {a: a for a in anchors}  # its level-0 cluster
    # Clusters that cannot hold two cores are final as they are.
    final = {c.cid: 0 for c in anchors.values() if c.reporters >= k and c.cid not in trying}
    await conn.execute(method.CREATE_PROBE, {"cids": list(trying)})
    await conn.execute(method.CREATE_ASSIGN)
    offset = (max(all_cids) + 1) if all_cids else 0
    for level in range(1, method.MAX_SPLIT_LEVELS + 1):
        if not trying:
            break
        next_pts = {
            a: method.next_minpoints(m, anchors[a], probe, p.max_extent)
            for a, (probe, m, _) in trying.items()
        }
        keeps = {a: method.sample_keep(probe, keep) for a, (probe, _, keep) in trying.items()}
        # On a sample, minpoints shrink with the share of points kept.
        sample_pts = {
            a: method.sample_minpoints(
                next_pts[a], anchors[a], keeps[a] / 1024, p.minpoints, p.max_extent
            )
            for a in trying
        }
        await conn.execute("DROP TABLE IF EXISTS hs_split")
        await conn.execute(
            method.SPLIT,
            {
                "cids": [probe.cid for probe, _, _ in trying.values()],
                "minpts": [sample_pts[a] for a in trying],
                "keeps": [keeps[a] for a in trying],
                "eps": p.eps,
                "offset": offset,
            },
        )
        top = await _rows(conn, "SELECT COALESCE(max(cid), 0) AS top FROM hs_split")
        offset = max(offset, int(top[0]["top"]) + 1)
        share = {probe.cid: keeps[a] / 1024 for a, (probe, _, _) in trying.items()}
        children: dict[int, list[method.Cluster]] = {}
        # Unscaled, these are also the stats of the children that become anchors.
        found: dict[int, method.Cluster] = {}
        for row in await _rows(conn, method.SPLIT_STATS, {"eps": p.eps}):
            parent = int(row["parent"])
            child = found[int(row["cid"])] = _cluster(row)
            children.setdefault(parent, []).append(method.scaled(child, share[parent]))
        split_children: list[int] = []
        split_anchors: list[int] = []
        dropped: list[int] = []
        next_trying: dict[int, tuple[method.Cluster, int, int]] = {}
        for a, (probe, _, _) in trying.items():
            outcome, kept = method.split_outcome(
                anchors[a], children.get(probe.cid, []), k, p.eps, p.max_extent
            )
            if outcome == "keep":
                final[a] = level_of[a]
            elif outcome == "drop":
                dropped.append(a)
            elif outcome == "deeper":
                if method.worth_deeper(anchors[a], next_pts[a]):
                    next_trying[a] = (kept[0], next_pts[a], keeps[a])
                else:
                    final[a] = level_of[a]
            else:
                for child in kept:
                    split_children.append(child.cid)
                    split_anchors.append(a)
                    level_of[child.cid] = level
                    next_trying[child.cid] = (child, next_pts[a], keeps[a])
        if split_children:
            await conn.execute(method.NOTE_SPLIT, {"children": split_children})
            for cid, a in zip(split_children, split_anchors, strict=True):
                keep_of[cid] = keeps[a]
                root_of[cid] = root_of[a]
                anchors[cid] = method.scaled(found[cid], keeps[a] / 1024)
        if split_children or dropped:
            progress(
                f"level {level}: split {len(set(split_anchors))} cluster(s) into "
                f"{len(split_children)}, dropped {len(dropped)} diffuse one(s)"
            )
        trying = next_trying
        await _run_all(
            conn, method.NEXT_PROBE, {"cids": [probe.cid for probe, _, _ in trying.values()]}
        )
    for a in trying:  # still splitting at the last level: keep what there is
        final[a] = level_of[a]
    await _run_all(conn, method.RELABEL, {"cids": list(final)})
    thinned = [c for c in final if keep_of[c] < 1024]
    if thinned:
        keep_by_root: dict[int, int] = {}
        for c in thinned:
            root = root_of[c]
            keep_by_root[root] = min(keep_by_root.get(root, 1024), keep_of[c])
        await _run_all(
            conn,
            method.THINNED_BORDER,
            {
                "cids": thinned,
                "roots": list(keep_by_root),
                "keeps": list(keep_by_root.values()),
                "margin": method.THIN_HULL_MARGIN_M,
            },
        )
    return final


@dataclass
class RunResult:
    run_id: int
    hotspots: int
    points: int
    k_mc: int
    k: int
    seconds: float
    stats: dict[str, Any] = field(default_factory=dict)


async def input_version(db: Database, conn: AsyncConn | None = None) -> tuple[int, int]:
    """(data_version of reports, number of reports): any insert or change moves it."""
    rows = await db.fetch_all_sql(
        "SELECT COALESCE((SELECT version FROM data_version WHERE name = 'reports'), 0) AS v, "
        "(SELECT count(*) FROM reports) AS n",
        None,
        conn,
    )
    return int(rows[0]["v"]), int(rows[0]["n"])


async def latest_run(db: Database, key: str, conn: AsyncConn | None = None) -> Row | None:
    rows = await db.fetch_all_sql(
        "SELECT * FROM hotspot_runs WHERE filter_key = %(key)s ORDER BY id DESC LIMIT 1",
        {"key": key},
        conn,
    )
    return rows[0] if rows else None


def _is_fresh(run: Row | None, version: tuple[int, int], params_hash: str) -> bool:
    return (
        run is not None
        and run["params_hash"] == params_hash
        and (int(run["input_version"]), int(run["input_reports"])) == version
    )


async def compute(
    db: Database,
    ctx: Context,
    filters: ReportFilter | None = None,
    *,
    progress: Progress = _quiet,
    force: bool = False,
) -> RunResult | None:
    """Compute and store a run for `filters`; None when a fresh one already exists."""
    filters = filters or ReportFilter()
    key = filters.key()
    p = ctx.params
    started = time.perf_counter()
    async with db.transaction() as conn:
        await conn.execute("SELECT pg_advisory_xact_lock(%(k)s)", {"k": ADVISORY_KEY})
        version = await input_version(db, conn)
        if not force and _is_fresh(await latest_run(db, key, conn), version, ctx.params_hash):
            return None
        # Long computations must not be cut by the web request statement timeout.
        await conn.execute("SET LOCAL statement_timeout = 0")
        # The statements here are costed far above jit_above_cost, but are
        # dominated by PostGIS calls JIT cannot speed up: compiling only adds time.
        await conn.execute("SET LOCAL jit = off")
        fp = filters.sql_params()
        await conn.execute(method.CREATE_SOURCE, fp)
        # Temp tables have no statistics: without them the joins below plan badly.
        await conn.execute("CREATE INDEX ON hs_src (id)")
        # Only the columns plans depend on: statistics on the geometries and
        # arrays cost more than the queries they would inform.
        await conn.execute("ANALYZE hs_src (id, t)")
        await conn.execute(
            method.CREATE_POINTS,
            {
                "step": method.LINE_STEP_M,
                "small_polygon": method.SMALL_POLYGON_M2,
                "lattice": method.LATTICE_M,
            },
        )
        if p.dedup_distance > 0:
            await conn.execute(method.CREATE_DEDUP, {"dedup": p.dedup_distance})
        else:
            await conn.execute(method.CREATE_DEDUP_NONE)
        await conn.execute("CREATE UNIQUE INDEX ON hs_dp (pid)")
        await conn.execute("ANALYZE hs_dp (pid, rid)")
        points = int((await _rows(conn, "SELECT count(*) AS n FROM hs_dp"))[0]["n"])
        progress(f"{points} person-places from the matching reports")
        await conn.execute(method.CREATE_LABELS, {"eps": p.eps, "minpoints": p.minpoints})
        await conn.execute("CREATE UNIQUE INDEX ON hs_lab (pid)")
        await conn.execute("ANALYZE hs_lab")
        noise = int((await _rows(conn, method.NOISE_COUNT))[0]["n"])
        k_mc = await monte_carlo_k(conn, ctx, noise)
        k = max(p.min_reporters, k_mc)
        progress(f"clustered; {noise} noise points, significance threshold k = {k}")
        final = await _split_clusters(conn, ctx, k, progress)
        cids = sorted(final)
        await conn.execute(method.CREATE_MEMBERS, {"cids": cids})
        await conn.execute(method.CREATE_OUT, {"cids": cids, "buffer": method.OUTLINE_BUFFER_M})
        out = await _rows(conn, "SELECT cid, reporters, reports, cx, cy FROM hs_out")
        breakdowns = method.breakdowns_of(
            await _rows(conn, method.CODE_COUNTS),
            method.aoristic_profiles(await _rows(conn, method.PERSON_TIMES)),
            await _rows(conn, method.SEVERITY),
        )
        safe = {int(r["cid"]): int(r["safe"]) for r in await _rows(conn, method.SAFE_NEARBY, fp)}
        behind = {
            int(r["cid"]): [bytes(h) for h in r["hashes"]]
            for r in await _rows(conn, method.REPORTERS)
        }
        coordinated = await coordination_by_group(
            db, behind, window_minutes=ctx.coordinated_window_minutes
        )
        candidates = [
            (int(r["cid"]), str(r["id"]), float(r["overlap"]), r["last_seen"].timestamp())
            for r in await _rows(conn, method.MATCH_CANDIDATES)
        ]
        matched = method.match_identities(candidates)
        rows_out: list[dict[str, Any]] = []
        for row in out:
            cid = int(row["cid"])
            b = breakdowns.get(cid) or method.empty_breakdowns()
            severity = b["severity_mean"]
            reports = int(row["reports"])
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
                }
            )
        rows_out.sort(key=lambda r: (-r["score"], -r["reporters"], r["cx"], r["cy"]))
        run_rows = await _rows(
            conn,
            "INSERT INTO hotspot_runs (filter_key, filters, params, params_hash, input_version, "
            "input_reports, started_at, finished_at, points, k_mc, k_threshold, hotspot_count, "
            "duration_ms) VALUES (%(key)s, %(filters)s, %(params)s, %(hash)s, %(v)s, %(n)s, "
            "now(), clock_timestamp(), %(points)s, %(k_mc)s, %(k)s, %(count)s, %(ms)s) "
            "RETURNING id, finished_at",
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
        run_id = int(run_rows[0]["id"])
        finished = run_rows[0]["finished_at"]
        is_default = key == DEFAULT_KEY
        async with conn.cursor() as cur:
            for rank, r in enumerate(rows_out, 1):
                identity = matched.get(r["cid"])
                if identity is None:
                    identity = str(uuid.uuid4())
                    await cur.execute(
                        "INSERT INTO hotspot_identities (id, first_seen, last_seen, outline_3006) "
                        "SELECT %(id)s, %(t)s, %(t)s, outline FROM hs_out WHERE cid = %(cid)s",
                        {"id": identity, "t": finished, "cid": r["cid"]},
                    )
                elif is_default:
                    # The unfiltered run moves the identity along with the place.
                    await cur.execute(
                        "UPDATE hotspot_identities SET last_seen = %(t)s, outline_3006 = o.outline "
                        "FROM hs_out o WHERE o.cid = %(cid)s AND hotspot_identities.id = %(id)s",
                        {"id": identity, "t": finished, "cid": r["cid"]},
                    )
                await cur.execute(
                    "INSERT INTO hotspots (run_id, hotspot_id, rank, score, reporters, reports, "
                    "reasons, times, days, hours, severity_mean, safe_share, first_report, "
                    "last_report, level, possibly_coordinated, outline, outline_3006, centre) "
                    "SELECT %(run)s, %(id)s, %(rank)s, %(score)s, %(reporters)s, %(reports)s, "
                    "%(reasons)s, %(times)s, %(days)s, %(hours)s, %(severity_mean)s, "
                    "%(safe_share)s, o.first_report, o.last_report, %(level)s, "
                    "%(possibly_coordinated)s, "
                    "ST_ForcePolygonCCW(ST_Transform(o.outline, 4326)), o.outline, "
                    "ST_Transform(ST_Point(o.cx, o.cy, 3006), 4326) FROM hs_out o "
                    "WHERE o.cid = %(cid)s",
                    {**r, "run": run_id, "id": identity, "rank": rank},
                )
        # Only the newest run per filter is ever served; filtered runs are a cache.
        await conn.execute(
            "DELETE FROM hotspot_runs WHERE (filter_key = %(key)s AND id < %(id)s) "
            "OR (filter_key <> '' AND finished_at < now() - interval '1 day')",
            {"key": key, "id": run_id},
        )
    seconds = time.perf_counter() - started
    progress(f"stored run {run_id}: {len(rows_out)} hotspots in {seconds:.2f} s")
    return RunResult(run_id, len(rows_out), points, k_mc, k, seconds)


# --- one computation at a time, fresh results for readers -------------------------

_locks: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()
_tasks: set[asyncio.Task[Row | None]] = set()


def _lock(db: Database) -> asyncio.Lock:
    lock = _locks.get(db)
    if lock is None:
        lock = _locks[db] = asyncio.Lock()
    return lock


async def ensure_fresh(
    db: Database, ctx: Context, filters: ReportFilter, progress: Progress = _quiet
) -> Row | None:
    """The newest run for `filters`, recomputed first if its input changed."""
    key = filters.key()
    version = await input_version(db)
    run = await latest_run(db, key)
    if _is_fresh(run, version, ctx.params_hash):
        return run
    async with _lock(db):
        # Whoever held the lock may just have computed it.
        version = await input_version(db)
        run = await latest_run(db, key)
        if not _is_fresh(run, version, ctx.params_hash):
            await compute(db, ctx, filters, progress=progress)
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


# --- reading -------------------------------------------------------------------


def _public_counts(column: str) -> str:
    return (
        f"(SELECT COALESCE(jsonb_object_agg(key, value), '{{}}'::jsonb) "
        f"FROM jsonb_each(h.{column}) WHERE value::int >= %(public_min)s)"
    )


STAFF_PROPERTIES = """json_build_object(
    'rank', h.rank, 'score', h.score, 'centre', json_build_array(
        round(ST_X(h.centre)::numeric, 7), round(ST_Y(h.centre)::numeric, 7)),
    'reporters', h.reporters, 'reports', h.reports, 'reasons', h.reasons,
    'times', h.times, 'days', h.days, 'hours', h.hours,
    'severity_mean', h.severity_mean, 'safe_share', h.safe_share,
    'first_seen', i.first_seen, 'last_seen', r.finished_at,
    'first_report', h.first_report, 'last_report', h.last_report,
    'level', h.level, 'run', h.run_id, 'possibly_coordinated', h.possibly_coordinated)"""

PUBLIC_PROPERTIES = f"""json_build_object(
    'rank', row_number() OVER (ORDER BY h.rank), 'score', h.score, 'centre', json_build_array(
        round(ST_X(h.centre)::numeric, 7), round(ST_Y(h.centre)::numeric, 7)),
    'reporters', h.reporters, 'reasons', {_public_counts("reasons")},
    'times', {_public_counts("times")}, 'days', {_public_counts("days")},
    'first_seen', i.first_seen, 'last_seen', r.finished_at)"""

_FEATURES = """
SELECT h.rank, h.hotspot_id AS hid, json_build_object(
    'type', 'Feature', 'id', h.hotspot_id,
    'geometry', ST_AsGeoJSON(h.outline, 7, 0)::json,
    'properties', {props}) AS feature
FROM hotspots h
JOIN hotspot_runs r ON r.id = h.run_id
JOIN hotspot_identities i ON i.id = h.hotspot_id
WHERE h.run_id = %(run)s AND h.reporters >= %(min_reporters)s
  AND (%(bbox)s::float8[] IS NULL OR h.outline && ST_MakeEnvelope(
      (%(bbox)s::float8[])[1], (%(bbox)s::float8[])[2],
      (%(bbox)s::float8[])[3], (%(bbox)s::float8[])[4], 4326))
"""

COLLECTION = """
SELECT json_build_object('type', 'FeatureCollection',
    'features', COALESCE(json_agg(f.feature ORDER BY f.rank), '[]'::json))::text AS body,
    count(*)::int AS n
FROM ({features}) f
"""

STAFF_COLLECTION = COLLECTION.format(features=_FEATURES.format(props=STAFF_PROPERTIES))
PUBLIC_COLLECTION = COLLECTION.format(features=_FEATURES.format(props=PUBLIC_PROPERTIES))
# One feature; the rank is computed among all shown hotspots first.
ONE = "SELECT f.feature FROM ({features}) f WHERE f.hid = %(hotspot)s::uuid"
STAFF_FEATURES = ONE.format(features=_FEATURES.format(props=STAFF_PROPERTIES))
PUBLIC_FEATURES = ONE.format(features=_FEATURES.format(props=PUBLIC_PROPERTIES))


def _read_params(
    run_id: int,
    filters: ReportFilter,
    *,
    public: bool,
    public_min: int,
    hotspot_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "run": run_id,
        "min_reporters": public_min if public else 0,
        "public_min": public_min,
        "bbox": list(filters.bbox) if filters.bbox else None,
        "hotspot": hotspot_id,
    }


async def collection_json(
    db: Database,
    run_id: int,
    filters: ReportFilter,
    *,
    public: bool,
    public_min: int,
) -> str:
    """The FeatureCollection, built in PostGIS (ST_AsGeoJSON + json_agg)."""
    sql = PUBLIC_COLLECTION if public else STAFF_COLLECTION
    rows = await db.fetch_all_sql(
        sql, _read_params(run_id, filters, public=public, public_min=public_min)
    )
    return str(rows[0]["body"])


async def collection_with_count(
    db: Database, run_id: int, filters: ReportFilter
) -> tuple[str, int]:
    """The staff FeatureCollection and how many features it has (for exports)."""
    rows = await db.fetch_all_sql(
        STAFF_COLLECTION, _read_params(run_id, filters, public=False, public_min=0)
    )
    return str(rows[0]["body"]), int(rows[0]["n"])


def _flatten(feature: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": feature["id"], **feature["properties"], "geometry": feature["geometry"]}


async def list_hotspots(
    db: Database,
    filters: ReportFilter | Mapping[str, Any] | None = None,
    *,
    public: bool = False,
    wait: float | None = None,
) -> list[dict[str, Any]]:
    """Ranked hotspots for `filters` as dicts: id, properties, `geometry` (GeoJSON) and `centre`."""
    if not isinstance(filters, ReportFilter):
        filters = ReportFilter.from_mapping(filters)
    ctx = context_of(db.settings)
    run, _ = await current_run(db, ctx, filters, wait)
    if run is None:
        return []
    body = await collection_json(
        db, int(run["id"]), filters, public=public, public_min=ctx.public_min_reporters
    )
    return [_flatten(f) for f in orjson.loads(body)["features"]]


async def get_hotspot(
    db: Database, hotspot_id: uuid.UUID | str, *, public: bool = False
) -> dict[str, Any] | None:
    """One hotspot of the current unfiltered result, or None when it is not there now."""
    try:
        wanted = hotspot_id if isinstance(hotspot_id, uuid.UUID) else uuid.UUID(str(hotspot_id))
    except ValueError:
        return None
    ctx = context_of(db.settings)
    run, _ = await current_run(db, ctx, ReportFilter(), db.settings.hotspot_wait_seconds)
    if run is None:
        return None
    feature = await feature_of(
        db, int(run["id"]), wanted, public=public, public_min=ctx.public_min_reporters
    )
    return None if feature is None else _flatten(feature)


async def feature_of(
    db: Database, run_id: int, hotspot_id: uuid.UUID, *, public: bool, public_min: int
) -> dict[str, Any] | None:
    sql = PUBLIC_FEATURES if public else STAFF_FEATURES
    rows = await db.fetch_all_sql(
        sql,
        _read_params(
            run_id, ReportFilter(), public=public, public_min=public_min, hotspot_id=hotspot_id
        ),
    )
    if not rows:
        return None
    feature = rows[0]["feature"]
    return feature if isinstance(feature, dict) else orjson.loads(feature)


# --- export rows (flat attributes for GeoPackage and CSV) --------------------------

EXPORT_ROWS = """
SELECT h.hotspot_id::text AS id, h.rank, h.score, h.reporters, h.reports,
       h.severity_mean, h.safe_share, i.first_seen, r.finished_at AS last_seen,
       h.first_report, h.last_report,
       round(ST_X(h.centre)::numeric, 7)::float8 AS centre_lon,
       round(ST_Y(h.centre)::numeric, 7)::float8 AS centre_lat,
       h.reasons, h.times, h.days, h.hours,
       ST_AsBinary(h.outline_3006) AS wkb_3006, ST_AsText(h.outline, 7) AS wkt
FROM hotspots h
JOIN hotspot_runs r ON r.id = h.run_id
JOIN hotspot_identities i ON i.id = h.hotspot_id
WHERE h.run_id = %(run)s
  AND (%(bbox)s::float8[] IS NULL OR h.outline && ST_MakeEnvelope(
      (%(bbox)s::float8[])[1], (%(bbox)s::float8[])[2],
      (%(bbox)s::float8[])[3], (%(bbox)s::float8[])[4], 4326))
ORDER BY h.rank
"""


async def export_rows(db: Database, run_id: int, filters: ReportFilter) -> list[Row]:
    return await db.fetch_all_sql(
        EXPORT_ROWS, {"run": run_id, "bbox": list(filters.bbox) if filters.bbox else None}
    )
