"""A full recompute's cell state, counted on arrays, is the CELLS statement's (issue 13).

The incremental refresh compares its window's cells with the ones stored by
the last full run; those are now counted in numpy (`incremental_sql.cells_of`)
from the person-places in memory instead of the statement over hs_dp and hs_lab.
"""

from __future__ import annotations

import numpy as np

from app.repo.hotspots.incremental_sql import CELLS, cells_of
from tests.conftest import Sql

# CELLS reads hs_dp and hs_lab; here they are the same points, as CTEs.
PLACES = """
WITH hs_dp AS (
    SELECT i::int AS pid, ST_Point(x, y, 3006) AS g
    FROM unnest(%(xs)s::float8[], %(ys)s::float8[]) WITH ORDINALITY AS u(x, y, i)
), hs_lab AS (
    SELECT i::int AS pid, NULLIF(r, -1) AS root
    FROM unnest(%(roots)s::int[]) WITH ORDINALITY AS u(r, i)
)
"""


def test_cells_on_arrays_are_the_statement(sql: Sql) -> None:
    rng = np.random.default_rng(5)
    n = 20_000
    xs = 6_580_000.0 + rng.uniform(-2000, 2000, n)
    ys = 320_000.0 + rng.uniform(-2000, 2000, n)
    # Points on cell edges (multiples of 250 m) and a hair either side of one.
    xs[:30] = 6_580_000.0 + 250.0 * rng.integers(-8, 8, 30)
    xs[30:40] = np.nextafter(6_580_250.0, 0.0)
    xs[40:50] = np.nextafter(6_580_250.0, 1e9)
    roots = np.where(rng.random(n) < 0.4, -1, rng.integers(0, 9, n))
    ours = cells_of(xs, ys, roots, 250.0)
    rows = sql.all(
        PLACES + CELLS.replace(":cell", "%(cell)s") + " ORDER BY gx, gy",
        {"xs": xs.tolist(), "ys": ys.tolist(), "roots": roots.tolist(), "cell": 250.0},
    )
    theirs = [(r["gx"], r["gy"], r["places"], r["noise"]) for r in rows]
    assert (
        list(zip(*(a.tolist() for a in (ours.gx, ours.gy, ours.places, ours.noise)), strict=True))
        == theirs
    )
    assert ours.places_total == n and 0 < ours.noise_total < n
