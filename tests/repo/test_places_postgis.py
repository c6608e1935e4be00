"""The recompute's array steps count and place points exactly as the PostGIS statements did.

Ring sectors (`geo.rings.ring_rows`) against the RING_COUNTS statement, and
the thinned samples' left-out points (`geo.hulls.nearest_hull`) against the
point-in-hull lookup it replaced, on the same points.
"""

from __future__ import annotations

import numpy as np
import shapely

from geo.hulls import nearest_hull
from geo.rings import ring_rows
from tests.conftest import Sql

RINGS = """
WITH d AS (
    SELECT i AS pid, ST_Point(x, y, 3006) AS g, NULLIF(l, -1) AS cid
    FROM unnest(%(xs)s::float8[], %(ys)s::float8[], %(ls)s::int[]) WITH ORDINALITY AS u(x, y, l, i)
), c AS (
    SELECT cid, cx, cy, ST_Point(cx, cy, 3006) AS p
    FROM unnest(%(cids)s::int[], %(cxs)s::float8[], %(cys)s::float8[]) AS u(cid, cx, cy)
)
SELECT c.cid, LEAST(floor(a.angle / (2 * pi() / %(sectors)s))::int, %(sectors)s - 1) AS sector,
       d.cid AS owner, count(*)::int AS n
FROM c
JOIN d ON ST_DWithin(d.g, c.p, %(outer)s) AND NOT ST_DWithin(d.g, c.p, %(inner)s)
CROSS JOIN LATERAL (SELECT atan2(ST_Y(d.g) - c.cy, ST_X(d.g) - c.cx) AS raw) r
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.raw < 0 THEN r.raw + 2 * pi() ELSE r.raw END AS angle) a
WHERE d.cid IS DISTINCT FROM c.cid
GROUP BY c.cid, 2, d.cid
"""

HULLS = """
WITH d AS (
    SELECT ST_Point(x, y, 3006) AS g, l AS cid
    FROM unnest(%(xs)s::float8[], %(ys)s::float8[], %(ls)s::int[]) AS u(x, y, l)
)
SELECT cid, ST_AsBinary(h) AS h, ST_X(ST_Centroid(h)) AS cx, ST_Y(ST_Centroid(h)) AS cy
FROM (SELECT cid, ST_Buffer(ST_ConvexHull(ST_Collect(g)), 10) AS h FROM d
      WHERE cid >= 0 GROUP BY cid) s
ORDER BY cid
"""

NEAREST = """
WITH h AS (
    SELECT cid, ST_GeomFromWKB(h, 3006) AS h, ST_Point(cx, cy, 3006) AS c
    FROM unnest(%(cids)s::int[], %(hulls)s::bytea[], %(cxs)s::float8[], %(cys)s::float8[])
        AS u(cid, h, cx, cy)
), r AS (
    SELECT i AS pid, ST_Point(x, y, 3006) AS g
    FROM unnest(%(xs)s::float8[], %(ys)s::float8[]) WITH ORDINALITY AS u(x, y, i)
)
SELECT r.pid, n.cid FROM r
CROSS JOIN LATERAL (
    SELECT h.cid FROM h WHERE ST_Intersects(h.h, r.g) ORDER BY ST_Distance(h.c, r.g), h.cid LIMIT 1
) n
ORDER BY r.pid
"""


def scene(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Busy places with their labels, and a background of noise."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 1500, (6, 2))
    parts = [c + rng.normal(0, 30, (400, 2)) for c in centres]
    xy = np.vstack([*parts, rng.uniform(0, 1500, (3000, 2))]) + [6_500_000.0, 320_000.0]
    labels = np.concatenate([np.full(400, i) for i in range(6)] + [np.full(3000, -1)])
    # Some of each place is "left out" (noise) too, as a thinned sample leaves it.
    labels[rng.random(len(labels)) < 0.3] = -1
    return xy[:, 0], xy[:, 1], labels.astype(np.int64)


def test_ring_counts_are_the_postgis_statements(sql: Sql) -> None:
    for seed in (1, 2):
        xs, ys, labels = scene(seed)
        cids = sorted(int(c) for c in set(labels.tolist()) if c >= 0)
        centres = [
            (c, float(np.median(xs[labels == c])), float(np.median(ys[labels == c]))) for c in cids
        ]
        ours = ring_rows(xs, ys, labels, centres, inner=60.0, outer=300.0, sectors=8)
        theirs = sql.all(
            RINGS,
            {
                "xs": xs.tolist(),
                "ys": ys.tolist(),
                "ls": labels.tolist(),
                "cids": cids,
                "cxs": [c[1] for c in centres],
                "cys": [c[2] for c in centres],
                "sectors": 8,
                "inner": 60.0,
                "outer": 300.0,
            },
        )
        assert sorted(ours, key=str) == sorted(
            ((r["cid"], r["sector"], r["owner"], r["n"]) for r in theirs), key=str
        )
        assert sum(n for *_, n in ours) > 1000


def test_left_out_points_join_the_hull_postgis_would_pick(sql: Sql) -> None:
    xs, ys, labels = scene(3)
    params = {"xs": xs.tolist(), "ys": ys.tolist(), "ls": labels.tolist()}
    hulls = sql.all(HULLS, params)
    left_out = labels < 0
    ours = nearest_hull(
        xs,
        ys,
        np.zeros(len(xs), dtype=np.int64),
        left_out,
        [(h["cid"], 0, shapely.from_wkb(bytes(h["h"])), h["cx"], h["cy"]) for h in hulls],
    )
    theirs = np.full(len(xs), -1)
    rows = sql.all(
        NEAREST,
        {
            "cids": [h["cid"] for h in hulls],
            "hulls": [bytes(h["h"]) for h in hulls],
            "cxs": [h["cx"] for h in hulls],
            "cys": [h["cy"] for h in hulls],
            "xs": xs[left_out].tolist(),
            "ys": ys[left_out].tolist(),
        },
    )
    at = np.nonzero(left_out)[0]
    for r in rows:
        theirs[at[r["pid"] - 1]] = r["cid"]
    assert (ours == theirs).all()
    assert (ours >= 0).sum() > 500
