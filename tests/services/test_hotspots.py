"""The hotspot method on small hand-made cases, run in PostGIS through the real pipeline."""

from __future__ import annotations

import asyncio
import hashlib
import math
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest

from app.config import Settings
from app.db.pool import Database
from app.domain.filters import ReportFilter
from app.services import hotspots as store
from geo.crs import sweref_to_lonlat
from geo.synthetic import centre_xy
from tests.conftest import Sql

CX, CY = centre_xy()


def add_reports(
    sql: Sql,
    points: Sequence[tuple[float, float]],
    reporters: Sequence[str],
    *,
    times: Iterable[str] = ("night",),
    days: Iterable[str] = ("weekend",),
    reasons: Iterable[str] = ("lighting",),
    kind: str = "unsafe",
    created_at: datetime | None = None,
) -> None:
    """Insert point reports at (dx, dy) metres from the town centre.

    Without `created_at` the reports are spread two days apart, back from now,
    like residents reporting over weeks (one burst would be held, issue 10).
    """
    lonlat = [sweref_to_lonlat(CX + dx, CY + dy) for dx, dy in points]
    now = datetime.now(UTC)
    created = [created_at or now - timedelta(days=2 * i, minutes=1) for i in range(len(points))]
    hashes = [hashlib.sha256(r.encode()).digest() for r in reporters]
    sql.all(
        "INSERT INTO reports (id, channel, kind, severity, reasons, times, days, reporter_hash, "
        "created_at, geom) "
        "SELECT gen_random_uuid(), 'api', %(kind)s, 2, %(reasons)s, %(times)s, %(days)s, u.h, "
        "u.t, ST_SetSRID(ST_MakePoint(u.x, u.y), 4326) "
        "FROM unnest(%(xs)s::float8[], %(ys)s::float8[], %(hs)s::bytea[], "
        "%(created)s::timestamptz[]) AS u(x, y, h, t)",
        {
            "kind": kind,
            "reasons": list(reasons),
            "times": list(times),
            "days": list(days),
            "created": created,
            "xs": [p[0] for p in lonlat],
            "ys": [p[1] for p in lonlat],
            "hs": hashes,
        },
    )


def add_line(sql: Sql, coords: Sequence[tuple[float, float]], reporter: str) -> None:
    wkt = (
        "LINESTRING("
        + ", ".join("{} {}".format(*sweref_to_lonlat(CX + dx, CY + dy)) for dx, dy in coords)
        + ")"
    )
    sql.all(
        "INSERT INTO reports (id, channel, kind, severity, reasons, times, days, reporter_hash, "
        "geom) VALUES (gen_random_uuid(), 'api', 'unsafe', 3, '{lighting}', '{night}', "
        "'{weekend}', %s, ST_GeomFromText(%s, 4326))",
        (hashlib.sha256(reporter.encode()).digest(), wkt),
    )


def place(
    dx: float, dy: float, people: int, rng: np.random.Generator, spread: float = 10.0
) -> list[tuple[float, float]]:
    return [
        (dx + float(rng.normal(0, spread)), dy + float(rng.normal(0, spread)))
        for _ in range(people)
    ]


def people(prefix: str, n: int) -> list[str]:
    return [f"{prefix}-{i}" for i in range(n)]


def run(
    settings: Settings, filters: ReportFilter | None = None, **overrides: Any
) -> list[dict[str, Any]]:
    """Recompute (forced) and return the staff view, like a planner would see it."""
    s = settings.model_copy(update=overrides) if overrides else settings

    async def go() -> list[dict[str, Any]]:
        db = Database(s, min_size=0)
        await db.open()
        try:
            await store.compute(db, store.context_of(s), filters, force=True)
            return await store.list_hotspots(db, filters)
        finally:
            await db.close()

    return asyncio.run(go())


def centre_offset(h: dict[str, Any]) -> tuple[float, float]:
    from geo.crs import lonlat_to_sweref

    x, y = lonlat_to_sweref(*h["centre"])
    return x - CX, y - CY


def test_one_person_filing_many_reports_counts_once_and_makes_no_hotspot(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(1)
    add_reports(sql, place(0, 0, 60, rng, 5), ["spammer"] * 60)
    add_reports(sql, place(400, 0, 6, rng), people("real", 6))
    found = run(settings)
    assert len(found) == 1
    assert found[0]["reporters"] == 6
    assert math.dist(centre_offset(found[0]), (400, 0)) < 15


def test_a_line_along_a_dark_path_joins_the_hotspot_it_crosses(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(2)
    add_reports(sql, place(0, 0, 6, rng), people("p", 6))
    # A 300 m path whose middle runs through the place.
    add_line(sql, [(-150, 5), (150, -5)], "walker")
    found = run(settings)
    assert len(found) == 1
    assert found[0]["reporters"] == 7
    assert found[0]["reports"] == 7


def test_two_places_120_m_apart_are_two_hotspots_even_when_bridged(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(3)
    add_reports(sql, place(0, 0, 25, rng, 12), people("a", 25))
    add_reports(sql, place(120, 0, 25, rng, 12), people("b", 25))
    # A few people between them chain the two places at plain DBSCAN.
    bridge = [(x, float(rng.normal(0, 5))) for x in np.linspace(20, 100, 8)]
    add_reports(sql, bridge, people("bridge", 8))
    found = run(settings)
    centres = sorted(centre_offset(h) for h in found)
    assert len(found) == 2, centres
    assert math.dist(centres[0], (0, 0)) < 20
    assert math.dist(centres[1], (120, 0)) < 20


def test_dense_data_does_not_chain_into_one_town_sized_cluster(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(4)
    # 8000 people spread over 800 m x 800 m: about 80 neighbours within 50 m each,
    # so plain DBSCAN at (50 m, 5) makes one cluster of the whole area.
    background = [(float(x), float(y)) for x, y in rng.uniform(-400, 400, (8000, 2))]
    add_reports(sql, background, people("bg", 8000))
    truth = [(-200.0, -150.0), (50.0, 200.0), (250.0, -100.0)]
    for i, (dx, dy) in enumerate(truth):
        add_reports(sql, place(dx, dy, 150, rng, 15), people(f"hot{i}", 150))
    found = run(settings)
    assert found, "the three dense places must still be found"
    outline_widths = sql.all(
        "SELECT ST_MaxDistance(outline_3006, outline_3006) AS w FROM hotspots "
        "WHERE run_id = (SELECT max(id) FROM hotspot_runs WHERE filter_key = '')"
    )
    # The outline adds 15 m of buffer on each side of the points.
    assert max(r["w"] for r in outline_widths) <= settings.hotspot_max_extent + 30
    for dx, dy in truth:
        assert any(math.dist(centre_offset(h), (dx, dy)) < 30 for h in found), (dx, dy)


def test_filters_cluster_only_the_matching_reports(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(5)
    add_reports(sql, place(0, 0, 6, rng), people("night", 6), times=["night"])
    add_reports(sql, place(300, 0, 6, rng), people("morning", 6), times=["morning"])
    everything = run(settings)
    mornings = run(settings, ReportFilter(times=("morning",)))
    assert len(everything) == 2
    assert len(mornings) == 1
    assert math.dist(centre_offset(mornings[0]), (300, 0)) < 15
    # The same place keeps its id in a filtered view.
    assert mornings[0]["id"] in {h["id"] for h in everything}
    assert run(settings, ReportFilter(reasons=("drugs",))) == []


def test_ids_survive_a_recompute_when_the_place_stays(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(6)
    add_reports(sql, place(0, 0, 6, rng), people("a", 6))
    add_reports(sql, place(-300, 100, 6, rng), people("b", 6))
    first = {round(centre_offset(h)[0] / 100): h for h in run(settings)}
    add_reports(sql, place(0, 0, 4, rng), people("a-later", 4))
    add_reports(sql, place(300, -200, 6, rng), people("c", 6))
    second = {round(centre_offset(h)[0] / 100): h for h in run(settings)}
    assert len(second) == 3
    for key in first:
        assert second[key]["id"] == first[key]["id"]
        assert second[key]["first_seen"] == first[key]["first_seen"]
    assert second[0]["reporters"] == 10
    assert second[3]["id"] not in {h["id"] for h in first.values()}


def test_breakdowns_count_people_and_spread_their_hours(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(7)
    add_reports(sql, place(0, 0, 6, rng), people("p", 6), times=["evening"], reasons=["groups"])
    # One of them comes back four times: still one person.
    add_reports(sql, place(0, 0, 4, rng, 2), ["p-0"] * 4, times=["evening"], reasons=["groups"])
    add_reports(sql, [(5.0, 5.0)], ["safe-1"], kind="safe")
    (h,) = run(settings)
    assert h["reporters"] == 6 and h["reports"] == 10
    assert h["reasons"] == {"groups": 6}
    assert h["times"] == {"evening": 6}
    assert h["days"] == {"weekend": 6}
    assert sum(h["hours"]) == pytest.approx(6)
    assert h["hours"][17] == pytest.approx(6 / 5) and h["hours"][3] == 0
    assert h["safe_share"] == pytest.approx(1 / 11, abs=1e-3)
    assert h["geometry"]["type"] == "Polygon"


def test_since_and_until_select_reports_by_when_they_were_made(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(8)
    old = datetime(2026, 1, 10, tzinfo=UTC)
    add_reports(sql, place(0, 0, 6, rng), people("old", 6), created_at=old)
    add_reports(sql, place(300, 0, 6, rng), people("new", 6), created_at=datetime.now(UTC))
    recent = run(settings, ReportFilter(since=datetime.now(UTC) - timedelta(days=1)))
    assert [round(centre_offset(h)[0] / 100) for h in recent] == [3]
    early = run(settings, ReportFilter(until=old + timedelta(days=1)))
    assert [round(centre_offset(h)[0] / 100) for h in early] == [0]


def test_unknown_id_is_none(settings: Settings, clean_db: None) -> None:
    async def go() -> Any:
        db = Database(settings, min_size=0)
        await db.open()
        try:
            return await store.get_hotspot(db, uuid.uuid4())
        finally:
            await db.close()

    assert asyncio.run(go()) is None


def test_concurrent_readers_share_one_computation(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(9)
    add_reports(sql, place(0, 0, 6, rng), people("p", 6))
    # Runs replace older ones, so count computations by the id sequence.
    started = "SELECT COALESCE(pg_sequence_last_value('hotspot_runs_id_seq'), 0)"
    night = ReportFilter(times=("night",))

    async def go(readers: int) -> list[Any]:
        db = Database(settings, min_size=0)
        await db.open()
        try:
            ctx = store.context_of(settings)
            # Bring the unfiltered result up to date first (waiting for any
            # background computation), so only the readers below compute.
            await store.ensure_fresh(db, ctx, ReportFilter())
            before = sql.scalar(started)
            answers = await asyncio.gather(
                *(store.current_run(db, ctx, night, 30) for _ in range(readers))
            )
            return [before, answers]
        finally:
            await db.close()

    before, answers = asyncio.run(go(6))
    runs = {run["id"] for run, stale in answers}
    assert len(runs) == 1 and not any(stale for _, stale in answers)
    assert sql.scalar(started) == before + 1, "six readers, one computation"
    before, _ = asyncio.run(go(3))
    assert sql.scalar(started) == before, "up to date: later readers compute nothing"
