"""Stored hotspots of several data sets, dumped to compare two versions of the recompute.

A speed change must not change what the method finds. This computes hotspots
on fixed data sets (the speed bench's positions, the quality bench's
scenarios) in a throwaway database and writes every stored field of every
hotspot (outlines as exact WKT) to a JSON file; run it on both versions, then
compare the two files:

    DATABASE_URL=... .venv/bin/python bench/hotspot_compare.py dump before.json
    DATABASE_URL=... .venv/bin/python bench/hotspot_compare.py dump after.json
    .venv/bin/python bench/hotspot_compare.py diff before.json after.json

`--cases` picks data sets (default: all of CASES); the exit status of `diff`
is 1 when anything differs.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.db.pool import Database  # noqa: E402
from app.services import hotspots as store  # noqa: E402
from app.services.hotspots.computation import clear_threshold_cache  # noqa: E402
from bench import hotspot_quality as quality  # noqa: E402
from bench import hotspot_speed as speed  # noqa: E402
from bench._common import bench_settings  # noqa: E402

# speed:<reports>:<spread> or quality:<scenario>:<seed>:<accounts>
CASES = [
    "speed:20000:realistic",
    "speed:20000:dense",
    "speed:100000:realistic",
    "speed:100000:dense",
    "quality:busy:0:0",
    "quality:busy:1:3",
    "quality:base:0:1",
    "quality:noisy:0:1",
    "quality:noisy:2:1",
]

RUN = """
SELECT points, k_mc, k_threshold, hotspot_count FROM hotspot_runs WHERE id = %(run)s
"""
# Every stored field but the random identity; times relative to the first report.
HOTSPOTS = """
SELECT h.rank, h.score, h.reporters, h.reports, h.reasons, h.times, h.days, h.hours,
       h.severity_mean, h.safe_share,
       extract(epoch FROM h.first_report - f.t) AS first_report,
       extract(epoch FROM h.last_report - f.t) AS last_report,
       h.level, h.possibly_coordinated, h.significance, h.significance_held,
       ST_AsText(h.outline) AS outline, ST_AsText(h.outline_3006) AS outline_3006,
       ST_AsText(h.centre) AS centre, h.held_reasons, h.independent_units, h.support,
       ST_AsText(h.public_outline) AS public_outline, ST_AsText(h.public_centre) AS public_centre
FROM hotspots h CROSS JOIN (SELECT min(created_at) AS t FROM reports) f
WHERE h.run_id = %(run)s ORDER BY h.rank
"""


def plain(value: Any) -> Any:
    """JSON-ready: numbers and text as they are, everything else as text."""
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


async def one_case(db: Database, settings: Settings, case: str) -> dict[str, Any]:
    kind, *args = case.split(":")
    ctx = store.context_of(settings)
    clear_threshold_cache()
    if kind == "speed":
        await speed.load(db, int(args[0]), args[1])
        result = await store.compute(db, ctx, force=True)
        assert result is not None
        run_id = result.run_id
    else:
        name, seed, accounts = args[0], int(args[1]), int(args[2])
        await quality.one_run(db, ctx, name, seed, accounts, settings.public_min_reporters)
        rows = await db.fetch_all_sql("SELECT max(id) AS id FROM hotspot_runs")
        run_id = int(rows[0]["id"])
    run = (await db.fetch_all_sql(RUN, {"run": run_id}))[0]
    hotspots = await db.fetch_all_sql(HOTSPOTS, {"run": run_id})
    return {
        "run": {k: plain(v) for k, v in run.items()},
        "hotspots": [{k: plain(v) for k, v in h.items()} for h in hotspots],
    }


async def dump(out: Path, cases: list[str]) -> int:
    admin_url = os.environ.get("DATABASE_URL")
    if not admin_url:
        print("set DATABASE_URL to a PostGIS server", file=sys.stderr)
        return 2
    scratch = quality.create_database(admin_url)
    results: dict[str, Any] = {}
    try:
        settings = bench_settings(scratch)
        db = Database(settings, min_size=1)
        await db.open()
        try:
            for case in cases:
                results[case] = await one_case(db, settings, case)
                print(f"{case}: {len(results[case]['hotspots'])} hotspots", file=sys.stderr)
        finally:
            await db.close()
    finally:
        quality.drop_database(admin_url, scratch)
    out.write_text(json.dumps(results, indent=1, sort_keys=True))
    return 0


def diff(a: Path, b: Path) -> int:
    left, right = json.loads(a.read_text()), json.loads(b.read_text())
    differ = 0
    for case in sorted(set(left) | set(right)):
        one, two = left.get(case), right.get(case)
        if one is None or two is None:
            print(f"{case}: only in {'the second' if one is None else 'the first'} file")
            differ += 1
            continue
        notes = [f"run {k}: {one['run'][k]} vs {two['run'][k]}" for k in one["run"]]
        notes = [
            n for k, n in zip(one["run"], notes, strict=True) if one["run"][k] != two["run"][k]
        ]
        if len(one["hotspots"]) != len(two["hotspots"]):
            notes.append(f"{len(one['hotspots'])} vs {len(two['hotspots'])} hotspots")
        for h1, h2 in zip(one["hotspots"], two["hotspots"], strict=False):
            fields = sorted(k for k in h1 if h1[k] != h2.get(k))
            if fields:
                notes.append(f"rank {h1['rank']}: {', '.join(fields)}")
        status = "identical" if not notes else "DIFFERENT"
        print(f"{case}: {len(one['hotspots'])} hotspots, {status}")
        for note in notes[:12]:
            print(f"    {note}")
        differ += bool(notes)
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--cases", default=",".join(CASES))
    c = sub.add_parser("diff")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        return asyncio.run(dump(args.out, args.cases.split(",")))
    return diff(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main())
