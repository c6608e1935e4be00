"""Incremental freshness (issue 13): a refresh of the new reports' neighbourhood
gives the hotspots a full recompute gives on the same data."""

from __future__ import annotations

import asyncio
import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from app.config import Settings
from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.repo.hotspots.incremental_sql import was_incremental
from app.repo.hotspots.runs import latest_run
from app.services import hotspots as store
from app.services.hotspots import incremental
from app.services.hotspots.computation import RunResult
from app.services.hotspots.context import quiet
from app.services.hotspots.worker import HotspotWorker
from geo import montecarlo
from tests.conftest import Sql
from tests.services.conftest import on_db
from tests.services.test_hotspots import add_reports, people, place

# Four places in the corners of the 4 km service area, far enough apart that
# a report at one cannot change another.
PLACES = [(-1300.0, -1300.0, 8), (-1300.0, 1300.0, 7), (1300.0, 1300.0, 9), (1300.0, -1300.0, 6)]
NOISE = 62  # rounded_count(62..64) is 64: one or two more noise points keep k's step

# Everything a planner or the public sees of a hotspot, by rank.
SNAPSHOT = """
SELECT h.rank, h.hotspot_id::text AS id, h.reporters, h.reports, h.score, h.reasons, h.times,
       h.days, h.hours, h.severity_mean, h.safe_share, h.first_report, h.last_report, h.level,
       h.possibly_coordinated, h.significance, h.significance_held, h.held_reasons,
       h.independent_units, h.support, ST_AsText(ST_Transform(h.centre, 3006)) AS centre,
       h.outline_3006 AS outline, ST_AsText(h.public_outline) AS public_outline
FROM hotspots h WHERE h.run_id = (
    SELECT id FROM hotspot_runs WHERE filter_key = '' ORDER BY id DESC LIMIT 1)
ORDER BY h.rank
"""


def noise_points() -> list[tuple[float, float]]:
    """Lone reports on a 400 m lattice, away from the places: always DBSCAN noise."""
    out = [
        (float(x), float(y))
        for x in range(-1800, 1801, 400)
        for y in range(-1800, 1801, 400)
        if all(math.hypot(x - px, y - py) > 450 for px, py, _ in PLACES)
    ]
    assert len(out) >= NOISE
    return out[:NOISE]


@pytest.fixture
def town(sql: Sql, clean_db: None) -> None:
    rng = np.random.default_rng(13)
    for i, (px, py, n) in enumerate(PLACES):
        add_reports(sql, place(px, py, n, rng), people(f"place{i}", n))
    add_reports(sql, noise_points(), people("lone", NOISE))
    # Reports from an hour ago: only what the tests add below is new.
    sql.all("UPDATE reports SET received_at = now() - interval '1 hour'")


def full(settings: Settings) -> None:
    on_db(settings, lambda db: store.compute(db, store.context_of(settings), force=True))


def refresh(settings: Settings, **kw: Any) -> RunResult | str:
    return on_db(settings, lambda db: incremental.refresh(db, store.context_of(settings), **kw))


def snapshot(sql: Sql) -> list[dict[str, Any]]:
    return [dict(r) for r in sql.all(SNAPSHOT)]


def assert_same(sql: Sql, spliced: list[dict[str, Any]], computed: list[dict[str, Any]]) -> None:
    """Hotspot by hotspot, in rank order: the same place, counts, breakdowns and verdicts."""
    assert [h["id"] for h in spliced] == [h["id"] for h in computed], "same places, same ranks"
    for a, b in zip(spliced, computed, strict=True):
        apart = sql.scalar(
            "SELECT ST_HausdorffDistance(%s::geometry, %s::geometry)", (a["outline"], b["outline"])
        )
        assert apart < 0.01, f"outline of rank {a['rank']} moved {apart} m"
        for field in set(a) - {"outline"}:
            assert a[field] == b[field], f"rank {a['rank']}: {field} {a[field]} != {b[field]}"


def step(settings: Settings, sql: Sql, progress: Callable[[str], None] = quiet) -> RunResult:
    """Refresh incrementally, then check a full recompute on the same data agrees."""
    outcome = refresh(settings, progress=progress)
    assert isinstance(outcome, RunResult), outcome
    spliced = snapshot(sql)
    full(settings)
    assert_same(sql, spliced, snapshot(sql))
    return outcome


def test_a_refresh_gives_what_a_full_recompute_gives(
    settings: Settings, sql: Sql, town: None
) -> None:
    full(settings)
    before = snapshot(sql)
    assert len(before) == 4
    rng = np.random.default_rng(5)
    # Someone new at the first place: it grows by one person, nothing else moves.
    add_reports(sql, place(-1300, -1300, 1, rng), ["newcomer"])
    said: list[str] = []
    result = step(settings, sql, said.append)
    assert result.hotspots == 4
    assert "1 recomputed, 3 kept hotspots" in said[-1], "only its neighbourhood was recomputed"
    grown = {h["id"]: h["reporters"] for h in snapshot(sql)}
    assert sorted(grown.values()) == sorted([6, 7, 9, 9])
    # A new place: six people meet where there was nobody.
    add_reports(sql, place(0, -1500, 6, rng), people("new-place", 6))
    assert step(settings, sql).hotspots == 5
    # A lone report far from everything: noise, the hotspots stay as they were.
    add_reports(sql, [(1800.0, -100.0)], ["far-away"])
    step(settings, sql)
    # Two refreshes in a row: the second starts from the spliced run.
    add_reports(sql, place(1300, 1300, 1, rng), ["second"])
    assert isinstance(refresh(settings), RunResult)
    add_reports(sql, place(1300, -1300, 1, rng), ["third"])
    step(settings, sql)


def test_reports_the_last_run_saw_are_not_new_again(
    settings: Settings, sql: Sql, town: None
) -> None:
    # The second place's reports arrived just before the full run that saw them.
    hashes = [hashlib.sha256(p.encode()).digest() for p in people("place1", 7)]
    moved = sql.all(
        "UPDATE reports SET received_at = now() WHERE reporter_hash = ANY(%s) RETURNING id",
        (hashes,),
    )
    assert len(moved) == 7
    full(settings)
    add_reports(sql, place(-1300, -1300, 1, np.random.default_rng(8)), ["newcomer"])
    said: list[str] = []
    step(settings, sql, said.append)
    assert "1 recomputed, 3 kept hotspots" in said[-1]


def test_a_new_safe_report_updates_the_safe_share_of_its_hotspot(
    settings: Settings, sql: Sql, town: None
) -> None:
    full(settings)
    add_reports(sql, [(-1300.0, 1300.0)], ["feels-fine"], kind="safe")
    step(settings, sql)
    shares = [h["safe_share"] for h in snapshot(sql)]
    assert sum(s > 0 for s in shares) == 1


def test_falls_back_to_a_full_recompute_when_the_threshold_step_moves(
    settings: Settings, sql: Sql, town: None
) -> None:
    full(settings)
    noise = sql.scalar(
        "SELECT (SELECT sum(n) FROM unnest(noise) n) FROM hotspot_run_state ORDER BY run_id DESC"
    )
    assert montecarlo.rounded_count(noise + 6) != montecarlo.rounded_count(noise)
    add_reports(sql, [(-1900.0 + 130 * i, 1900.0) for i in range(6)], people("edge", 6))
    outcome = refresh(settings)
    assert isinstance(outcome, str) and "rounding step" in outcome
    # Readers still get a fresh run: ensure_fresh recomputes in full.
    ctx = store.context_of(settings)
    run = on_db(settings, lambda db: store.ensure_fresh(db, ctx, ReportFilter()))
    assert run is not None and int(run["input_reports"]) == sql.scalar(
        "SELECT count(*) FROM reports"
    )
    assert not on_db(settings, lambda db: was_incremental(db, int(run["id"])))


def test_falls_back_when_the_neighbourhood_is_too_big(
    settings: Settings, sql: Sql, town: None
) -> None:
    full(settings)
    add_reports(sql, place(-1300, -1300, 1, np.random.default_rng(2)), ["newcomer"])
    outcome = refresh(settings, max_reports=20)
    assert isinstance(outcome, str) and "neighbourhood holds more than 20" in outcome
    # Moderation (not an insert) also means a full recompute.
    full(settings)
    sql.all("UPDATE data_version SET version = version + 1 WHERE name = 'reports'")
    add_reports(sql, place(-1300, -1300, 1, np.random.default_rng(3)), ["another"])
    assert refresh(settings) == "reports changed other than by new ones"


def test_falls_back_when_reports_went_without_moving_the_version(
    settings: Settings, sql: Sql, town: None
) -> None:
    full(settings)
    # Every report removed behind the app's back (a TRUNCATE moves no data_version),
    # then more reports than before: the old hotspots must not be kept.
    before = sql.scalar("SELECT count(*) FROM reports")
    sql.all("TRUNCATE reports CASCADE")
    rng = np.random.default_rng(4)
    add_reports(sql, place(0, 0, 8, rng), people("after", 8))
    add_reports(sql, noise_points() * 2, people("lone-again", 2 * NOISE))
    assert sql.scalar("SELECT count(*) FROM reports") > before
    assert refresh(settings) == "cannot tell which reports are new"


def test_the_worker_refreshes_incrementally_and_in_full_periodically(
    settings: Settings, sql: Sql, town: None
) -> None:
    full(settings)
    s = settings.model_copy(
        update={"hotspot_coalesce_seconds": 0.0, "hotspot_full_recompute_minutes": 10.0}
    )
    count = "SELECT count(*) FROM reports"

    async def go() -> tuple[bool, bool]:
        db = Database(s, min_size=0)
        await db.open()
        worker = HotspotWorker(db, s)
        try:
            worker.start()

            async def settled() -> Any:
                for _ in range(600):
                    run = await latest_run(db, "")
                    if run and int(run["input_reports"]) == sql.scalar(count):
                        return run
                    await asyncio.sleep(0.1)
                raise AssertionError("no fresh run")

            while worker.runs < 1:  # its first pass at start
                await asyncio.sleep(0.05)
            add_reports(sql, place(-1300, -1300, 1, np.random.default_rng(4)), ["walker"])
            worker.notify()
            spliced = await was_incremental(db, int((await settled())["id"]))
            # Ten minutes later the next pass recomputes everything.
            worker.last_full = -1e9
            worker.notify()
            for _ in range(600):
                run = await settled()
                if not await was_incremental(db, int(run["id"])):
                    return spliced, True
                await asyncio.sleep(0.1)
            return spliced, False
        finally:
            await worker.stop()
            await db.close()

    spliced, then_full = asyncio.run(go())
    assert spliced, "a new report refreshes only its neighbourhood"
    assert then_full, "the periodic pass leaves a full run"


def test_one_report_after_a_quiet_spell_does_not_wait_the_whole_pause(
    settings: Settings, sql: Sql, town: None
) -> None:
    full(settings)
    # A pause far longer than the test may wait: one lone report must not sit it out.
    s = settings.model_copy(update={"hotspot_coalesce_seconds": 3600.0})
    count = "SELECT count(*) FROM reports"

    async def go() -> bool:
        db = Database(s, min_size=0)
        await db.open()
        worker = HotspotWorker(db, s)
        try:
            worker.last_full = time.monotonic()  # the full run above
            worker.start()
            worker.dirty.clear()  # the result is fresh: nothing to do at start
            await asyncio.sleep(0.5)  # the worker waits for news
            add_reports(sql, place(-1300, -1300, 1, np.random.default_rng(6)), ["alone"])
            worker.notify()
            for _ in range(600):
                run = await latest_run(db, "")
                if run and int(run["input_reports"]) == sql.scalar(count):
                    return await was_incremental(db, int(run["id"]))
                await asyncio.sleep(0.1)
            return False
        finally:
            await worker.stop()
            await db.close()

    assert asyncio.run(go()), "the one report was refreshed in, without the hour's pause"


def busy_square(rng: np.random.Generator) -> list[tuple[float, float]]:
    """A busy square at (1600, 0): two dense corners 160 m apart on a floor of
    people all over it, about 55 neighbours within 50 m: split on a thinned sample."""
    angle = rng.uniform(0, 2 * math.pi, 300)
    radius = 130 * np.sqrt(rng.uniform(0, 1, 300))
    floor = [(1600 + r * math.cos(a), r * math.sin(a)) for a, r in zip(angle, radius, strict=True)]
    return floor + place(1600, -80, 120, rng, 15) + place(1600, 80, 120, rng, 15)


def test_a_refresh_inside_a_thinned_place_gives_what_a_full_recompute_gives(
    settings: Settings, sql: Sql, town: None
) -> None:
    rng = np.random.default_rng(21)
    square = busy_square(rng)
    add_reports(sql, square, people("square", len(square)))
    sql.all("UPDATE reports SET received_at = now() - interval '1 hour'")
    full(settings)
    # Someone new at the square: its window leaves out the west of the town,
    # so the window numbers its person-places differently than a full run
    # does; the sample must not depend on that.
    add_reports(sql, place(1600, 80, 1, rng), ["newcomer"])
    said: list[str] = []
    step(settings, sql, said.append)
    assert any("thinned sample" in s for s in said), said
    assert "window of" in said[0] and int(said[0].split()[2]) < sql.scalar(
        "SELECT count(*) FROM reports"
    ), "the window is part of the town"
