"""One dense town, one level-0 cluster: its density splits run on a thinned sample,
and one new report changes hotspots only near it (issue 13)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from app.config import Settings
from app.services import hotspots as store
from tests.conftest import Sql
from tests.services.conftest import on_db
from tests.services.test_hotspots import CX, CY, add_reports, people, place

# Every hotspot with what a planner sees of it, except its rank (a hotspot
# near the new report may change its score and so the ranks of the others).
HOTSPOTS = """
SELECT h.hotspot_id::text AS id, h.reporters, h.reports, h.score, h.reasons, h.times, h.days,
       h.hours, h.level, h.significance, h.significance_held, h.held_reasons, h.support,
       ST_X(ST_Transform(h.centre, 3006)) AS x, ST_Y(ST_Transform(h.centre, 3006)) AS y,
       h.outline_3006 AS outline
FROM hotspots h WHERE h.run_id = (
    SELECT id FROM hotspot_runs WHERE filter_key = '' ORDER BY id DESC LIMIT 1)
"""
# Dense places in a 1600 m x 800 m town whose every report is in one cluster.
HOT = [(-500.0, 100.0), (300.0, 200.0), (600.0, -150.0)]
NEW = (-790.0, 0.0)  # at the town's western edge
# Hotspots further than this from the new report cannot depend on it: two
# rings of the local test (300 m each) and the widest place (max_extent).
FAR_M = 2 * 300.0 + 250.0


def hotspots(sql: Sql) -> list[dict[str, Any]]:
    return [dict(r) for r in sql.all(HOTSPOTS)]


def test_one_new_report_leaves_the_rest_of_a_dense_town_as_it_was(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(31)
    # About 56 neighbours within 50 m everywhere: one town-sized cluster at
    # level 0, split on a sample thinned to about 40 neighbours.
    floor = [(float(x), float(y)) for x, y in rng.uniform((-800, -400), (800, 400), (10_000, 2))]
    add_reports(sql, floor, people("floor", len(floor)))
    for i, (dx, dy) in enumerate(HOT):
        add_reports(sql, place(dx, dy, 150, rng, 15), people(f"hot{i}", 150))
    ctx = store.context_of(settings)
    said: list[str] = []
    on_db(settings, lambda db: store.compute(db, ctx, force=True, progress=said.append))
    assert any("thinned sample" in s for s in said), said
    before = hotspots(sql)
    # Each dense place is a hotspot, and the east of the town has hotspots to compare.
    for dx, dy in HOT:
        assert any(math.dist((h["x"] - CX, h["y"] - CY), (dx, dy)) < 30 for h in before)
    far = [h for h in before if math.dist((h["x"] - CX, h["y"] - CY), NEW) > FAR_M]
    assert len(far) >= 2

    # One more person at the western edge, then a full recompute on the new data.
    add_reports(sql, [NEW], ["newcomer"])
    on_db(settings, lambda db: store.compute(db, ctx, force=True))
    after = {h["id"]: h for h in hotspots(sql)}
    for h in far:
        assert h["id"] in after, f"the hotspot at {h['x']:.0f}, {h['y']:.0f} is gone"
        again = after[h["id"]]
        apart = sql.scalar(
            "SELECT ST_HausdorffDistance(%s::geometry, %s::geometry)",
            (h["outline"], again["outline"]),
        )
        assert apart < 0.01, f"the outline at {h['x']:.0f}, {h['y']:.0f} moved {apart} m"
        for field in set(h) - {"outline"}:
            assert h[field] == again[field], f"{field}: {h[field]} != {again[field]}"
