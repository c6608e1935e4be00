"""Hotspot quality where the density splits run on thinned samples (issue 13).

`bench/hotspot_quality.py`'s scenarios are too sparse for the splits to thin
their samples (a probe needs more than THIN_NEIGHBOURS = 40 neighbours within
eps on average). The speed bench's spreads are dense enough: 100k realistic
(one 4 km town, about 54 neighbours) and the dense spread (everything in
1.2 km). Their reports come from known places (`hotspot_speed.points`), so the
hotspots can be scored like the quality bench does: precision and recall of
hotspot centres matched one-to-one within 50 m to the true place centres, and
the mean distance of matched pairs. Run it on two versions to compare them.

    DATABASE_URL=... .venv/bin/python bench/sample_quality.py [--seeds 4]
        [--cases 20000:dense,100000:realistic,100000:dense]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.db.pool import Database  # noqa: E402
from app.services import hotspots as store  # noqa: E402
from app.services.hotspots.computation import clear_threshold_cache  # noqa: E402
from bench import hotspot_quality as quality  # noqa: E402
from bench import hotspot_speed as speed  # noqa: E402
from bench._common import bench_settings  # noqa: E402
from geo.synthetic import centre_xy  # noqa: E402

HEADER = "| case | seed | precision | recall | centre error (m) | hotspots | compute (s) |"
HOTSPOTS = """
SELECT ST_X(ST_Transform(centre, 3006)) AS x, ST_Y(ST_Transform(centre, 3006)) AS y,
       significance_held AS held
FROM hotspots WHERE run_id = (SELECT max(id) FROM hotspot_runs WHERE filter_key = '')
"""


def truth(n: int, spread: str, seed: int) -> list[tuple[float, float]]:
    """The place centres `hotspot_speed.points` draws first for these arguments."""
    cx, cy = centre_xy()
    pcx, pcy = speed.place_centres(np.random.default_rng(seed), n, spread)
    return [(cx + x, cy + y) for x, y in zip(pcx.tolist(), pcy.tolist(), strict=True)]


async def load(db: Database, n: int, spread: str, seed: int) -> None:
    """`hotspot_speed.load` with a seed of choice."""
    xs, ys, rids = speed.points(n, spread, seed)
    async with db.connection() as conn:
        await conn.execute("TRUNCATE reports, hotspots, hotspot_runs, hotspot_identities CASCADE")
        for start in range(0, n, speed.CHUNK):
            part = slice(start, start + speed.CHUNK)
            await conn.execute(
                speed.INSERT,
                {"xs": xs[part].tolist(), "ys": ys[part].tolist(), "rids": rids[part].tolist()},
            )
        await conn.execute("ANALYZE reports")


async def one(db: Database, settings: Settings, case: str, seed: int) -> dict[str, float]:
    n, spread = int(case.split(":")[0]), case.split(":")[1]
    await load(db, n, spread, seed)
    clear_threshold_cache()
    started = time.perf_counter()
    await store.compute(db, store.context_of(settings), force=True)
    seconds = time.perf_counter() - started
    rows = await db.fetch_all_sql(HOTSPOTS)
    found = [(float(r["x"]), float(r["y"])) for r in rows if not r["held"]]
    places = truth(n, spread, seed)
    matched = quality.match(found, places)
    return {
        "precision": len(matched) / max(len(found), 1),
        "recall": len(matched) / len(places),
        "error": statistics.fmean(matched) if matched else float("nan"),
        "hotspots": float(len(found)),
        "seconds": seconds,
    }


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--cases", default="20000:dense,100000:realistic,100000:dense")
    args = parser.parse_args()
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        print("set DATABASE_URL to a PostGIS server", file=sys.stderr)
        return 2
    scratch = quality.create_database(admin_url)
    try:
        settings = bench_settings(scratch)
        db = Database(settings, min_size=1)
        await db.open()
        try:
            print(HEADER)
            print("|---|---|---|---|---|---|---|")
            for case in args.cases.split(","):
                runs = []
                for seed in range(1, args.seeds + 1):
                    r = await one(db, settings, case, seed)
                    runs.append(r)
                    print(
                        f"| {case} | {seed} | {r['precision']:.3f} | {r['recall']:.3f} | "
                        f"{r['error']:.1f} | {r['hotspots']:.0f} | {r['seconds']:.1f} |",
                        flush=True,
                    )
                mean = {k: statistics.fmean(r[k] for r in runs) for k in runs[0]}
                print(
                    f"| {case} | mean | {mean['precision']:.3f} | {mean['recall']:.3f} | "
                    f"{mean['error']:.1f} | {mean['hotspots']:.1f} | {mean['seconds']:.1f} |",
                    flush=True,
                )
        finally:
            await db.close()
    finally:
        quality.drop_database(admin_url, scratch)
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
