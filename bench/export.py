"""Hotspot export speed: our GeoJSON against a bare json_agg and ogr2ogr on the same rows.

Stores one run of N synthetic hotspots (default 100k) in a throwaway
database, then times, best of three:

- our GeoJSON export (`app.repo.hotspots.read_sql.collection_with_count`: ST_AsGeoJSON
  + json_build_object + json_agg in PostGIS, every property);
- a bare `json_agg` of the same rows with ST_AsGeoJSON geometry (the target
  is at most 1.5 times this);
- `ogr2ogr -f GeoJSON` reading the same rows from PostgreSQL;
- our GeoPackage (EPSG:3006) and CSV exports, for reference.

    DATABASE_URL=... .venv/bin/python bench/export.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.db.pool import Database  # noqa: E402
from app.domain.filters import ReportFilter  # noqa: E402
from app.repo.hotspots.read_sql import collection_with_count  # noqa: E402
from app.services.exports import build_export  # noqa: E402
from bench._common import bench_settings  # noqa: E402
from bench.hotspot_quality import create_database, drop_database  # noqa: E402

FILL = """
WITH run AS (
    INSERT INTO hotspot_runs (filter_key, filters, params, params_hash, input_version,
        input_reports, points, k_mc, k_threshold, hotspot_count, duration_ms)
    VALUES ('', '{}', '{}', 'bench', 0, 0, 0, 1, 3, %(n)s, 0) RETURNING id
), ids AS (
    INSERT INTO hotspot_identities (id, outline_3006)
    SELECT gen_random_uuid(), ST_Buffer(ST_Point(340000 + random() * 8000,
                                                 6470000 + random() * 8000, 3006), 40, 4)
    FROM generate_series(1, %(n)s)
    RETURNING id, outline_3006
)
INSERT INTO hotspots (run_id, hotspot_id, rank, score, reporters, reports, reasons, times,
    days, hours, severity_mean, safe_share, first_report, last_report, level, outline,
    outline_3006, centre)
SELECT run.id, ids.id, row_number() OVER (), 10.5, 9, 12,
       '{"lighting": 5, "groups": 4}', '{"night": 7, "evening": 2}',
       '{"weekend": 6, "weekday": 3}',
       '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1.2,1.2,1.2,1.2,1.2,1.5,1.5]',
       2.1, 0.05, now() - interval '30 days', now(), 0,
       ST_ForcePolygonCCW(ST_Transform(ids.outline_3006, 4326)), ids.outline_3006,
       ST_Transform(ST_Centroid(ids.outline_3006), 4326)
FROM ids, run
RETURNING run_id
"""

# The same rows and columns as our export (identity and run joined for
# first_seen/last_seen), serialised flat by json_agg: what building Features costs.
BARE = """
SELECT json_agg(t)::text AS body FROM (
    SELECT h.hotspot_id, h.rank, h.score, ST_X(h.centre) AS lon, ST_Y(h.centre) AS lat,
           h.reporters, h.reports, h.reasons,
           h.times, h.days, h.hours, h.severity_mean, h.safe_share, i.first_seen,
           r.finished_at AS last_seen, h.first_report, h.last_report, h.level, h.run_id,
           ST_AsGeoJSON(h.outline, 7)::json AS geometry
    FROM hotspots h JOIN hotspot_runs r ON r.id = h.run_id
    JOIN hotspot_identities i ON i.id = h.hotspot_id
    WHERE h.run_id = %(run)s ORDER BY h.rank) t
"""

# Fewer columns and no joins: a lower bound, for reference.
NARROW = """
SELECT json_agg(t)::text AS body FROM (
    SELECT hotspot_id, rank, score, reporters, reports, reasons, times, days, hours,
           severity_mean, safe_share, ST_AsGeoJSON(outline, 7)::json AS geometry
    FROM hotspots WHERE run_id = %(run)s ORDER BY rank) t
"""

OGR_SQL = (
    "SELECT hotspot_id::text AS id, rank, score, reporters, reports, reasons::text, "
    "times::text, days::text, hours::text, severity_mean, safe_share, outline "
    "FROM hotspots WHERE run_id = {run} ORDER BY rank"
)


async def best_of(work: Callable[[], Awaitable[object]], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        started = time.perf_counter()
        await work()
        best = min(best, time.perf_counter() - started)
    return best


def ogr2ogr_seconds(url: str, run_id: int) -> float:
    best = float("inf")
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(3):
            out = Path(tmp) / "o.geojson"
            out.unlink(missing_ok=True)
            started = time.perf_counter()
            subprocess.run(
                [
                    "ogr2ogr",
                    "-f",
                    "GeoJSON",
                    str(out),
                    f"PG:{url}",
                    "-sql",
                    OGR_SQL.format(run=int(run_id)),
                    "-lco",
                    "COORDINATE_PRECISION=7",
                ],
                check=True,
                capture_output=True,
            )
            best = min(best, time.perf_counter() - started)
    return best


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        print("set DATABASE_URL (make bench does) to a PostGIS server", file=sys.stderr)
        return 2
    scratch = create_database(admin_url)
    try:
        url = os.environ["DATABASE_URL"]
        settings = bench_settings(url)
        db = Database(settings, min_size=1)
        await db.open()
        try:
            rows = await db.fetch_all_sql(FILL, {"n": args.rows})
            run_id = int(rows[0]["run_id"])
            await db.execute_sql("ANALYZE")
            filters = ReportFilter()

            async def ours() -> object:
                return await collection_with_count(db, run_id, filters)

            async def bare() -> object:
                return await db.fetch_all_sql(BARE, {"run": run_id})

            async def narrow() -> object:
                return await db.fetch_all_sql(NARROW, {"run": run_id})

            ours_s = await best_of(ours)
            bare_s = await best_of(bare)
            narrow_s = await best_of(narrow)
            ogr_s = ogr2ogr_seconds(url, run_id)
            gpkg_s = await best_of(lambda: build_export(db, run_id, filters, "gpkg"), 1)
            csv_s = await best_of(lambda: build_export(db, run_id, filters, "csv"), 1)
            size = len((await ours())[0])  # type: ignore[index]
        finally:
            await db.close()
    finally:
        drop_database(admin_url, scratch)
    print(f"{args.rows} hotspots, GeoJSON {size / 1e6:.1f} MB")
    print("| export | seconds | vs bare json_agg |")
    print("|---|---|---|")
    for label, seconds in [
        ("bare json_agg of the same rows and columns (baseline)", bare_s),
        ("bare json_agg, fewer columns, no joins", narrow_s),
        ("our GeoJSON (PostGIS json_agg, all properties)", ours_s),
        ("ogr2ogr -f GeoJSON", ogr_s),
        ("our GeoPackage EPSG:3006 (pyogrio)", gpkg_s),
        ("our CSV with WKT", csv_s),
    ]:
        print(f"| {label} | {seconds:.2f} | {seconds / bare_s:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
