"""Freshness: seconds from a new report's 201 to a stored hotspot run that includes it.

Stores N synthetic reports (default 100k, the realistic spread of
bench/hotspot_speed.py) in a throwaway database, computes the hotspots once,
serves the app with its background worker on, files one report through
POST /api/v1/reports and polls for the newest unfiltered run computed from
the new input. Repeats `--repeats` times; prints each and the median. The
worker waits `TRYGG_HOTSPOT_COALESCE_SECONDS` (default 2 s) before it starts,
so the figure includes that pause.

    DATABASE_URL=... .venv/bin/python bench/freshness.py [--reports 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

import httpx
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import SECRET, scratch_database, served  # noqa: E402
from bench.hotspot_speed import clustered  # noqa: E402

LATEST = "SELECT input_reports FROM hotspot_runs WHERE filter_key = '' ORDER BY id DESC LIMIT 1"


async def prepare(url: str, reports: int) -> None:
    async with clustered(url, reports, SECRET):
        pass


def one(base: str, url: str, timeout: float) -> float:
    with psycopg.connect(url, autocommit=True) as conn:
        before = conn.execute("SELECT count(*) FROM reports").fetchone()
        assert before is not None
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [12.3234, 58.3808]},
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
                return time.monotonic() - started
            time.sleep(0.05)
    sys.exit(f"no fresh run within {timeout} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    with scratch_database() as url:
        asyncio.run(prepare(url, args.reports))
        with served(url, TRYGG_WORKERS="1", TRYGG_DB_STATEMENT_TIMEOUT_MS="0") as base:
            times = [one(base, url, args.timeout) for _ in range(args.repeats)]
    print(f"{args.reports} reports: new report to fresh hotspots")
    for i, seconds in enumerate(times, 1):
        print(f"  run {i}: {seconds:6.1f} s")
    print(f"  median: {statistics.median(times):6.1f} s (includes the worker's coalescing pause)")
    print("  load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
