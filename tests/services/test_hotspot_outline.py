"""A hotspot's staff outline through the real pipeline: around the place, not a chain on it."""

from __future__ import annotations

import math

import numpy as np

from app.config import Settings
from tests.conftest import Sql
from tests.services.test_hotspots import CX, add_reports, centre_offset, people, place, run

# Each report's position and whether the stored outline holds it (SWEREF 99 TM).
INSIDE = """
SELECT ST_X(ST_Transform(r.geom, 3006)) - %(cx)s AS dx,
       ST_Contains(h.outline_3006, ST_Transform(r.geom, 3006)) AS inside,
       ST_Area(h.outline_3006) AS m2
FROM reports r CROSS JOIN hotspots h WHERE h.hotspot_id = %(id)s
"""


def test_a_place_with_a_chain_of_background_is_outlined_around_the_place(
    settings: Settings, sql: Sql, clean_db: None
) -> None:
    rng = np.random.default_rng(5)
    add_reports(sql, place(0, 0, 20, rng, 8), people("place", 20))
    # Eight passers-by 20 m apart, leading away from it: DBSCAN (50 m, 5)
    # chains them onto the place, but none has three others within 25 m.
    tail = [(40.0 + 20 * i, 0.0) for i in range(8)]
    add_reports(sql, tail, people("tail", 8))
    found = run(settings)
    (h,) = found
    assert math.dist(centre_offset(h), (0, 0)) < 25
    rows = sql.all(INSIDE, {"cx": CX, "id": h["id"]})
    assert len(rows) == 28
    assert all(r["inside"] for r in rows if r["dx"] < 30)  # every report of the place
    assert not any(r["inside"] for r in rows if r["dx"] >= 80)  # not the chain's far part
    # About the place's own size, not a 300 m sausage: the hull of it all would
    # be some 7 000 m2.
    assert rows[0]["m2"] < 4000
