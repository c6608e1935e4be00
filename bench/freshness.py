"""Freshness: seconds from a new report's 201 to a stored hotspot run that includes it.

Stores N synthetic reports (default 100k, the realistic spread of
bench/hotspot_speed.py: one 4 km town; `--spread national`: separate towns of
5,000 reports, 6 km apart) in a throwaway database, computes the hotspots once,
serves the app with its background worker on, files one report through
POST /api/v1/reports at the centre of the top-ranked hotspot and polls for the
newest unfiltered run computed from the new input, then the public
`GET /api/v1/hotspots` until it answers from that run, not marked stale (its
per-process answer cache, `TRYGG_PUBLIC_HOTSPOT_CACHE_SECONDS`, included).
Repeats `--repeats` times; prints each, the medians, and how each run was made
(incremental refresh of the neighbourhood, or in full). The worker waits up to
`TRYGG_HOTSPOT_COALESCE_SECONDS` (default 2 s, `--coalesce`) before it starts
(after a quiet spell only until no report came for 0.1 s), so the figure
includes that pause.

    DATABASE_URL=... .venv/bin/python bench/freshness.py [--reports 100000] [--repeats 3]
        [--spread realistic|national] [--coalesce 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import SECRET, scratch_database, served  # noqa: E402
from bench.hotspot_speed import clustered, national_area  # noqa: E402

LATEST = (
    "SELECT r.input_reports, COALESCE(s.incremental, false) AS incremental, r.id "
    "FROM hotspot_runs r "
    "LEFT JOIN hotspot_run_state s ON s.run_id = r.id "
    "WHERE r.filter_key = '' ORDER BY r.id DESC LIMIT 1"
)
TOP = (
    "SELECT ST_X(h.centre) AS lon, ST_Y(h.centre) AS lat FROM hotspots h "
    "WHERE h.run_id = (SELECT max(id) FROM hotspot_runs WHERE filter_key = '') "
    "ORDER BY h.rank LIMIT 1"
)


async def prepare(url: str, reports: int, spread: str, area: Path | None) -> None:
    async with clustered(url, reports, SECRET, spread, area):
        pass


def one(base: str, url: str, timeout: float) -> tuple[float, bool, float]:
    with psycopg.connect(url, autocommit=True) as conn:
        before = conn.execute("SELECT count(*) FROM reports").fetchone()
        top = conn.execute(TOP).fetchone()
        assert before is not None and top is not None
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(top[0]), float(top[1])]},
            "properties": {
                "reasons": ["lighting"],
                "times": ["night"],
                "severity": 2,
                "client_token": f"fresh-{uuid.uuid4()}",
            },
        }
        answer = httpx.post(base + "/api/v1/reports", json=feature, timeout=30)
        started = time.monotonic()
        assert answer.status_code == 201, answer.text
        while time.monotonic() - started < timeout:
            row = conn.execute(LATEST).fetchone()
            if row is not None and int(row[0]) > int(before[0]):
                stored = time.monotonic() - started
                return stored, bool(row[1]), served_after(base, int(row[2]), started, timeout)
            time.sleep(0.05)
    sys.exit(f"no fresh run within {timeout} s")


def served_after(base: str, run_id: int, started: float, timeout: float) -> float:
    """Seconds from the report's 201 until the public GET /api/v1/hotspots
    answers from run `run_id` or newer, not marked stale (its answer cache
    and stale-while-revalidate included). Polled only once the run is stored,
    so the polling cannot poke the worker during its pause."""
    with httpx.Client(base_url=base, timeout=30) as client:
        while time.monotonic() - started < timeout:
            answer = client.get("/api/v1/hotspots")
            served = int(answer.headers.get("etag", '"0.').strip('"').split(".")[0])
            if served >= run_id and answer.headers.get("hotspots-stale") != "true":
                return time.monotonic() - started
            time.sleep(0.05)
    sys.exit(f"the public answer was not fresh within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--spread", choices=("realistic", "national"), default="realistic")
    parser.add_argument("--coalesce", type=float, default=2.0)
    args = parser.parse_args()
    env = {
        "TRYGG_WORKERS": "1",
        "TRYGG_DB_STATEMENT_TIMEOUT_MS": "0",
        "TRYGG_HOTSPOT_COALESCE_SECONDS": str(args.coalesce),
    }
    with scratch_database() as url, tempfile.TemporaryDirectory() as scratch:
        area = None
        if args.spread == "national":
            area = national_area(args.reports, Path(scratch) / "area.geojson")
            env["TRYGG_SERVICE_AREA"] = str(area)
        asyncio.run(prepare(url, args.reports, args.spread, area))
        with served(url, **env) as base:
            runs = [one(base, url, args.timeout) for _ in range(args.repeats)]
    times = [seconds for seconds, _, _ in runs]
    public = [seconds for _, _, seconds in runs]
    print(f"{args.reports} reports, {args.spread} spread: new report to fresh hotspots")
    for i, (seconds, spliced, shown) in enumerate(runs, 1):
        how = "incremental" if spliced else "full recompute"
        print(f"  run {i}: {seconds:6.1f} s stored ({how}), {shown:6.1f} s in the public GET")
    print(
        f"  median: {statistics.median(times):6.1f} s stored, "
        f"{statistics.median(public):6.1f} s in the public GET "
        f"(includes the worker's coalescing pause of up to {args.coalesce:g} s)"
    )
    print("  load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
