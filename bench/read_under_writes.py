"""Public hotspot reads with and without a stream of new reports, and after a filter flood.

Issue 10: reads must not wait on recomputation, and one visitor must not slow
the map. On loopback only, against a throwaway database and the app served
by uvicorn (bench/_common.py):

1. `--visitors` concurrent visitors read `GET /api/v1/hotspots` for
   `--seconds`, with no reports arriving; then again while a writer posts
   `--rate` reports per second. p50/p99 of both and the p99 ratio (aim <= 1.5).
2. 100 distinct public filter requests (periods x times x days x reasons) at
   once, then the next plain read's latency (aim < 100 ms).

    DATABASE_URL=... .venv/bin/python bench/read_under_writes.py [--seconds 15]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import itertools
import sys
import time
import uuid
from pathlib import Path

import httpx
import numpy as np
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import scratch_database, served  # noqa: E402
from geo.crs import sweref_to_lonlat  # noqa: E402
from geo.synthetic import benchmark_scenario, centre_xy, generate  # noqa: E402
from geo.vocabulary import DAY_CODES, REASON_CODES, TIME_CODES  # noqa: E402

COPY = (
    "COPY reports (id, channel, kind, severity, reasons, times, days, reporter_hash, "
    "created_at, geom) FROM STDIN"
)


def seed(url: str, seed: int = 1) -> int:
    """The base quality scenario (about a thousand reports over 180 days)."""
    reports = generate(benchmark_scenario("base", seed, 1), seed)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(COPY) as copy:
            for r in reports:
                lon, lat = r.geometry()["coordinates"]
                copy.write_row(
                    (
                        uuid.uuid4(),
                        "import",
                        "unsafe",
                        r.severity,
                        r.reasons,
                        r.times,
                        r.days,
                        hashlib.sha256(r.reporter.encode()).digest(),
                        r.created_at,
                        f"SRID=4326;POINT({lon} {lat})",
                    )
                )
        cur.execute("UPDATE data_version SET version = version + 1 WHERE name = 'reports'")
    return len(reports)


async def visitors(base: str, count: int, seconds: float) -> list[float]:
    """Latencies (ms) of `count` visitors reading the public hotspots back to back."""
    latencies: list[float] = []
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def one() -> None:
            while time.perf_counter() < stop:
                started = time.perf_counter()
                answer = await client.get("/api/v1/hotspots")
                answer.raise_for_status()
                latencies.append((time.perf_counter() - started) * 1000)

        await asyncio.gather(*(one() for _ in range(count)))
    return latencies


async def writer(base: str, rate: float, seconds: float) -> int:
    """Post `rate` reports per second near the town centre (open loop: a slow answer
    does not slow the stream); how many were stored."""
    rng = np.random.default_rng(5)
    cx, cy = centre_xy()
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:

        async def post() -> bool:
            lon, lat = sweref_to_lonlat(
                cx + float(rng.uniform(-800, 800)), cy + float(rng.uniform(-800, 800))
            )
            feature = {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {
                    "kind": "unsafe",
                    "reasons": [str(rng.choice(REASON_CODES))],
                    "times": [str(rng.choice(TIME_CODES))],
                    "client_token": f"bench-writer-{uuid.uuid4().hex}",
                },
            }
            return (await client.post("/api/v1/reports", json=feature)).status_code == 201

        posts = []
        started = time.perf_counter()
        for i in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, started + i / rate - time.perf_counter()))
            posts.append(asyncio.ensure_future(post()))
        return sum(await asyncio.gather(*posts))


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def filter_queries(count: int = 100) -> list[str]:
    periods = ["last12", "2025", "2026", "2026-summer", "2025-winter"]
    times = [""] + list(TIME_CODES)
    days = [""] + list(DAY_CODES)
    reasons = [""] + list(REASON_CODES)
    out = []
    for p, t, d, r in itertools.product(periods, times, days, reasons):
        q = f"period={p}" + (f"&times={t}" if t else "") + (f"&days={d}" if d else "")
        out.append(q + (f"&reasons={r}" if r else ""))
        if len(out) == count:
            break
    return out


async def flood(base: str) -> tuple[int, dict[int, int], list[float]]:
    """100 distinct public filters at once; then plain reads (ms)."""
    queries = filter_queries()
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        answers = await asyncio.gather(*(client.get(f"/api/v1/hotspots?{q}") for q in queries))
        statuses: dict[int, int] = {}
        for a in answers:
            statuses[a.status_code] = statuses.get(a.status_code, 0) + 1
        after = []
        for _ in range(5):
            started = time.perf_counter()
            (await client.get("/api/v1/hotspots")).raise_for_status()
            after.append((time.perf_counter() - started) * 1000)
    return len(queries), statuses, after


async def measure(base: str, args: argparse.Namespace) -> None:
    # Warm up: the first read computes the unfiltered run.
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        (await client.get("/api/v1/hotspots")).raise_for_status()
    quiet = await visitors(base, args.visitors, args.seconds)
    loaded, stored = await asyncio.gather(
        visitors(base, args.visitors, args.seconds), writer(base, args.rate, args.seconds)
    )
    n, statuses, after = await flood(base)
    p99q, p99w = percentile(quiet, 99), percentile(loaded, 99)
    print(f"visitors {args.visitors}, {args.seconds:.0f} s per phase, loopback")
    print("| phase | reads | p50 (ms) | p99 (ms) |")
    print("|---|---|---|---|")
    print(f"| no reports arriving | {len(quiet)} | {percentile(quiet, 50):.1f} | {p99q:.1f} |")
    print(
        f"| {stored / args.seconds:.1f} reports/s arriving | {len(loaded)} | "
        f"{percentile(loaded, 50):.1f} | {p99w:.1f} |"
    )
    ratio = p99w / p99q if p99q else float("nan")
    print(
        f"\np99 with writes / without: {ratio:.2f} ({'meets' if ratio <= 1.5 else 'MISSES'} <= 1.5)"
    )
    print(f"flood: {n} distinct public filters, answers by status {statuses}")
    first = after[0]
    print(
        f"next plain reads after the flood (ms): {', '.join(f'{a:.1f}' for a in after)} "
        f"({'meets' if first < 100 else 'MISSES'} < 100 ms for the first)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--rate", type=float, default=10.0)
    args = parser.parse_args()
    with scratch_database("trygg_rw") as url:
        count = seed(url)
        print(f"seeded {count} reports", file=sys.stderr)
        with served(url, TRYGG_TILE_URL="") as base:
            asyncio.run(measure(base, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
