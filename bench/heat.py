"""Staff heat with filters: summed from the kept grid against counted from every report.

Run with DATABASE_URL=... python bench/heat.py [--size 100000] (a throwaway
database is created and dropped). The reports are bench/map.py's (60 % around
12 places, one person in three repeats). For each filter the staff map's heat
query runs `--repeats` times at the default view (zoom 15) and the whole
service area (zoom 12), from `heat_code_grid` (`map_heat.from_grid_json`) and
from the reports (`map_heat.per_report_json`, what every filter cost before);
the answers are checked to be the same and the median times printed with
their ratio. Filters the grid cannot answer (two dimensions, a period) are
timed too, as the per-report cost they still carry.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import scratch_database  # noqa: E402
from bench.map import add_reports  # noqa: E402

VIEWS = {
    "view z15": ((12.3098, 58.3747, 12.3370, 58.3868), 15),
    "area z12": ((12.25, 58.33, 12.40, 58.43), 12),
}
FILTERS: list[dict[str, Any]] = [
    {"reasons": ("lighting",)},
    {"reasons": ("lighting", "drugs", "groups")},
    {"times": ("night",)},
    {"days": ("weekend",)},
]
PER_REPORT_ONLY: list[dict[str, Any]] = [{"reasons": ("drugs",), "times": ("night",)}]


async def timed(runs: int, work: Callable[[], Awaitable[str]]) -> tuple[float, str]:
    """Median milliseconds of `runs` calls (after one warm-up) and the last answer."""
    body = await work()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        body = await work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), body


async def measure(url: str, repeats: int) -> None:
    import orjson

    from app.config import Settings
    from app.db.pool import Database
    from app.domain.filters import ReportFilter
    from app.repo import map_heat

    db = Database(Settings(database_url=url), min_size=1)
    await db.open()
    try:
        print(f"{'filter':<34} {'view':<9} {'grid ms':>8} {'reports ms':>11} {'x faster':>9}")
        for values in FILTERS + PER_REPORT_ONLY:
            for label, (bbox, zoom) in VIEWS.items():
                filters = ReportFilter(bbox=bbox, **values)
                served = map_heat.grid_dimension(filters)
                slow, counted = await timed(
                    repeats, lambda f=filters, z=zoom: map_heat.per_report_json(db, f, z)
                )
                name = ",".join(f"{k}={'+'.join(v)}" for k, v in values.items())
                if served is None:
                    print(f"{name:<34} {label:<9} {'-':>8} {slow:>11.1f} {'(reports)':>9}")
                    continue
                fast, kept = await timed(
                    repeats,
                    lambda b=bbox, z=zoom, s=served: map_heat.from_grid_json(db, b, z, *s),
                )
                same = [p[2] for p in orjson.loads(kept)["points"]]
                other = [p[2] for p in orjson.loads(counted)["points"]]
                assert sorted(same) == sorted(other), f"{name} {label}: answers differ"
                print(f"{name:<34} {label:<9} {fast:>8.1f} {slow:>11.1f} {slow / fast:>9.1f}")
    finally:
        await db.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with scratch_database("trygg_bench_heat") as url:
        started = time.perf_counter()
        add_reports(url, args.size, seed=args.size)
        print(f"{args.size} reports loaded in {time.perf_counter() - started:.0f} s")
        asyncio.run(measure(url, args.repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
