"""Hotspot recompute time against a bare ST_ClusterDBSCAN over the same points (issue 3).

For each size (10k, 100k, 1M reports) and spread (realistic: 60 % around
places across the 4 km x 4 km service area, 40 % uniform; dense: all of it in
the 1.2 km x 1.2 km centre), the reports are stored in a throwaway database,
then timed in the same run:

- baseline: `ST_ClusterDBSCAN(geom_3006, 50, 5)` over the published unsafe reports;
- recompute: `app.services.hotspots.compute` (points, person-places, DBSCAN, the
  Monte Carlo threshold with an empty cache, density splits, statistics,
  stable ids, storage), and once more with the threshold cached.

Peak memory is the PostgreSQL backend's high-water mark (VmHWM) when
/proc is readable, and this process's maximum RSS.

With `--steps`, both recomputes (cold, then cached) are timed statement by
statement (`StepTimer`): seconds per statement, and the Python time after it
until the next one starts, summed per step and printed as a table.

    DATABASE_URL=... .venv/bin/python bench/hotspot_speed.py [--sizes 10000,100000,1000000]
        [--spreads realistic,dense] [--bare-max N] [--steps]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import re
import resource
import sys
import time
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.db.pool import AsyncConn, Database, Row  # noqa: E402
from app.repo.hotspots.runs import latest_run  # noqa: E402
from app.services import hotspots as store  # noqa: E402
from app.services.hotspots.computation import clear_threshold_cache  # noqa: E402
from bench._common import bench_settings  # noqa: E402
from bench.hotspot_quality import create_database, drop_database  # noqa: E402
from geo.crs import sweref_to_lonlat  # noqa: E402
from geo.synthetic import centre_xy  # noqa: E402

CHUNK = 200_000

INSERT = """
INSERT INTO reports (id, channel, kind, severity, reasons, times, days, reporter_hash, geom,
                     received_at)
SELECT gen_random_uuid(), 'import', 'unsafe', 1 + mod(u.rid, 3),
       ARRAY[(ARRAY['lighting','sightlines','deserted','groups','drugs'])[1 + mod(u.rid, 5)]],
       ARRAY[(ARRAY['morning','day','evening','night'])[1 + mod(u.rid / 7, 4)]],
       ARRAY[(ARRAY['weekday','weekend'])[1 + mod(u.rid / 3, 2)]],
       int4send(u.rid), ST_Transform(ST_Point(u.x, u.y, 3006), 4326),
       now() - interval '1 day'
FROM unnest(%(xs)s::float8[], %(ys)s::float8[], %(rids)s::int[]) AS u(x, y, rid)
"""

BARE = """
SELECT count(DISTINCT cid) AS clusters FROM (
    SELECT ST_ClusterDBSCAN(geom_3006, 50, 5) OVER () AS cid
    FROM reports WHERE kind = 'unsafe' AND status = 'published') s
"""


# The national spread (issue 13): towns like the realistic spread's, each of
# TOWN_REPORTS reports, on a square grid TOWN_PITCH_M apart (about 2 km of
# countryside between them), so a new report's neighbourhood is one town.
TOWN_REPORTS = 5000
TOWN_PITCH_M = 6000.0


def national(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`n` reports in separate towns of TOWN_REPORTS, each with its own people."""
    towns = max(1, math.ceil(n / TOWN_REPORTS))
    side = math.ceil(math.sqrt(towns))
    parts = []
    for t in range(towns):
        m = min(TOWN_REPORTS, n - t * TOWN_REPORTS)
        xs, ys, rids = points(m, "realistic", seed + t)
        dx, dy = (t % side) * TOWN_PITCH_M, (t // side) * TOWN_PITCH_M
        parts.append((xs + dx, ys + dy, rids + t * TOWN_REPORTS))
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(3))  # type: ignore[return-value]


def national_area(n: int, path: Path) -> Path:
    """A service area (GeoJSON, WGS 84) holding the national spread of `n` reports."""
    towns = max(1, math.ceil(n / TOWN_REPORTS))
    span = (math.ceil(math.sqrt(towns)) - 1) * TOWN_PITCH_M
    cx, cy = centre_xy()
    x0, y0, x1, y1 = cx - 3000, cy - 3000, cx + span + 3000, cy + span + 3000
    ring = [sweref_to_lonlat(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
    path.write_text(json.dumps({"type": "Polygon", "coordinates": [[*ring, ring[0]]]}))
    return path


def half_side(spread: str) -> float:
    """Half the side (m) of the square the `realistic` or `dense` town fills."""
    return 1900.0 if spread == "realistic" else 600.0


def place_centres(rng: np.random.Generator, n: int, spread: str) -> tuple[np.ndarray, np.ndarray]:
    """The busy places' centres (m from the town centre): the first draws of `points`."""
    half, places = half_side(spread), max(8, n // 2000)
    return (
        rng.uniform(-half + 100, half - 100, places),
        rng.uniform(-half + 100, half - 100, places),
    )


def points(n: int, spread: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`n` report positions (SWEREF 99 TM) and reporter ids, 1 + Poisson(1.5) reports each."""
    if spread == "national":
        return national(n, seed)
    rng = np.random.default_rng(seed)
    cx, cy = centre_xy()
    half = half_side(spread)
    pcx, pcy = place_centres(rng, n, spread)
    places = len(pcx)
    spreads = rng.uniform(10, 35, places)
    weights = 1.0 / (np.arange(places) + 1) ** 0.8
    weights /= weights.sum()
    at_place = rng.random(n) < 0.6
    which = rng.choice(places, n, p=weights)
    xs = np.where(
        at_place, pcx[which] + rng.normal(0, 1, n) * spreads[which], rng.uniform(-half, half, n)
    )
    ys = np.where(
        at_place, pcy[which] + rng.normal(0, 1, n) * spreads[which], rng.uniform(-half, half, n)
    )
    per_person = 1 + rng.poisson(1.5, n)
    rids = np.repeat(np.arange(n), per_person)[:n].astype(np.int32)
    return cx + xs, cy + ys, rids


async def load(db: Database, n: int, spread: str) -> None:
    xs, ys, rids = points(n, spread, 7)
    async with db.connection() as conn:
        await conn.execute("TRUNCATE reports, hotspots, hotspot_runs, hotspot_identities CASCADE")
        for start in range(0, n, CHUNK):
            part = slice(start, start + CHUNK)
            await conn.execute(
                INSERT,
                {"xs": xs[part].tolist(), "ys": ys[part].tolist(), "rids": rids[part].tolist()},
            )
        await conn.execute("ANALYZE reports")


@contextlib.asynccontextmanager
async def clustered(
    url: str,
    reports: int,
    secret: str,
    spread: str = "realistic",
    service_area: Path | None = None,
) -> AsyncIterator[Database]:
    """A database at `url` holding `reports` reports (realistic spread unless
    told) with hotspots computed."""
    settings = bench_settings(url, secret_key=secret, service_area=service_area)
    db = Database(settings, min_size=1)
    await db.open()
    try:
        await load(db, reports, spread)
        await store.compute(db, store.context_of(settings), force=True)
        yield db
    finally:
        await db.close()


def step_name(sql: str) -> str:
    """A short name for a statement: the table it makes or fills, else its first words."""
    flat = " ".join(sql.split())
    made = re.match(
        r"(CREATE (?:TEMP |UNIQUE )?(?:TABLE|INDEX ON) \w+|INSERT INTO \w+|"
        r"UPDATE \w+|ANALYZE \w+|TRUNCATE \w+|DROP TABLE [\w, ]+)",
        flat,
    )
    if made:
        return made.group(1)
    return flat[:60]


class StepTimer(Database):
    """A Database that times each statement, and the Python time after it until the next."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sql: dict[str, list[float]] = {}
        self.after: dict[str, float] = {}
        self.last: tuple[str, float] | None = None

    def _start(self) -> float:
        now = time.perf_counter()
        if self.last is not None:
            name, ended = self.last
            self.after[name] = self.after.get(name, 0.0) + now - ended
        return now

    def _stop(self, sql: str, started: float) -> None:
        now = time.perf_counter()
        name = step_name(sql)
        self.sql.setdefault(name, []).append(now - started)
        self.last = (name, now)

    def finish(self) -> None:
        self._start()
        self.last = None

    async def fetch_all_sql(
        self, sql: str, params: Mapping[str, Any] | None = None, conn: AsyncConn | None = None
    ) -> list[Row]:
        started = self._start()
        try:
            return await super().fetch_all_sql(sql, params, conn)
        finally:
            self._stop(sql, started)

    async def execute_sql(
        self, sql: str, params: Mapping[str, Any] | None = None, conn: AsyncConn | None = None
    ) -> int:
        started = self._start()
        try:
            return await super().execute_sql(sql, params, conn)
        finally:
            self._stop(sql, started)

    def table(self, total: float) -> str:
        """Seconds per step, biggest first, as a Markdown table."""
        rows = sorted(
            ((sum(t), len(t), self.after.get(name, 0.0), name) for name, t in self.sql.items()),
            key=lambda r: -(r[0] + r[2]),
        )
        lines = [
            "| step (statement) | runs | SQL (s) | Python after it (s) | share |",
            "|---|---|---|---|---|",
        ]
        for sql_s, runs, py_s, name in rows:
            if sql_s + py_s < 0.005:
                continue
            share = (sql_s + py_s) / total if total else 0.0
            lines.append(f"| `{name}` | {runs} | {sql_s:.2f} | {py_s:.2f} | {share:.0%} |")
        sql_total = sum(sum(t) for t in self.sql.values())
        py_total = sum(self.after.values())
        lines.append(f"| all | | {sql_total:.2f} | {py_total:.2f} | of {total:.2f} s |")
        return "\n".join(lines)


def backend_peak_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def timed(
    settings: Settings, work: str, ctx: store.Context, steps: bool = False
) -> tuple[float, float | None]:
    """Seconds and backend peak memory of one piece of work on fresh connections."""
    # Two connections: the computation looks up reporters' first sightings
    # (app.repo.rate_counters) on a second one while its transaction is open.
    kind = StepTimer if steps else Database
    db = kind(settings.model_copy(update={"db_pool_max": 2}), min_size=2)
    await db.open()
    try:
        pids: list[int] = []
        async with db.connection() as one, db.connection() as two:
            for conn in (one, two):
                cur = await conn.execute("SELECT pg_backend_pid() AS pid")
                pids.append(int((await cur.fetchall())[0]["pid"]))
        started = time.perf_counter()
        if work == "bare":
            async with db.connection() as conn:
                await conn.execute("SET statement_timeout = 0")
                await (await conn.execute(BARE)).fetchall()
        else:
            await store.compute(db, ctx, force=True)
        seconds = time.perf_counter() - started
        if isinstance(db, StepTimer):
            db.finish()
            print(db.table(seconds), file=sys.stderr, flush=True)
        peaks = [mb for mb in map(backend_peak_mb, pids) if mb is not None]
        return seconds, max(peaks) if peaks else None
    finally:
        await db.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--spreads", default="realistic,dense")
    # ST_ClusterDBSCAN cannot be cancelled, and while it runs every DROP DATABASE
    # on the server waits for it (a barrier it never reaches): at 1M dense
    # reports that is most of an hour. Above this size the bare baseline is skipped.
    parser.add_argument("--bare-max", type=int, default=1_000_000)
    parser.add_argument(
        "--steps", action="store_true", help="time both recomputes statement by statement"
    )
    args = parser.parse_args()
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        print("set DATABASE_URL (make bench does) to a PostGIS server", file=sys.stderr)
        return 2
    scratch = create_database(admin_url)
    rows = []
    try:
        settings = bench_settings(os.environ["DATABASE_URL"])
        ctx = store.context_of(settings)
        db = Database(settings, min_size=1)
        await db.open()
        try:
            for spread in args.spreads.split(","):
                for n in (int(s) for s in args.sizes.split(",")):
                    started = time.perf_counter()
                    await load(db, n, spread)
                    loading = time.perf_counter() - started
                    # Dense 1M is about 5,000 neighbours per point: hours of bare DBSCAN.
                    skip = n > args.bare_max or (n >= 1_000_000 and spread == "dense")
                    bare, bare_mb = float("nan"), None
                    if not skip:
                        bare, bare_mb = await timed(settings, "bare", ctx)
                    clear_threshold_cache()  # the first recompute pays for the Monte Carlo test
                    cold, cold_mb = await timed(settings, "compute", ctx, args.steps)
                    warm, _ = await timed(settings, "compute", ctx, args.steps)
                    run = await latest_run(db, "")
                    assert run is not None
                    rows.append((n, spread, loading, bare, cold, warm, bare_mb, cold_mb, run))
                    print(
                        f"{n} {spread}: load {loading:.1f} s, bare {bare:.2f} s, "
                        f"recompute {cold:.2f} s (cached threshold {warm:.2f} s), "
                        f"{run['hotspot_count']} hotspots",
                        file=sys.stderr,
                        flush=True,
                    )
        finally:
            await db.close()
    finally:
        drop_database(admin_url, scratch)
    print(
        "| reports | spread | person-places | hotspots | bare DBSCAN (s) | recompute (s) | "
        "ratio | recompute, cached threshold (s) | ratio | peak backend MB bare / recompute |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n, spread, _, bare, cold, warm, bare_mb, cold_mb, run in rows:
        mem = f"{bare_mb:.0f} / {cold_mb:.0f}" if bare_mb and cold_mb else "n/a"
        print(
            f"| {n} | {spread} | {run['points']} | {run['hotspot_count']} | {bare:.2f} | "
            f"{cold:.2f} | {cold / bare:.2f} | {warm:.2f} | {warm / bare:.2f} | {mem} |"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nbench process peak RSS {peak:.0f} MB")
    # The machine may be shared: the ratios hold within this run, the seconds do not.
    print("load average (1, 5, 15 min) at the end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
